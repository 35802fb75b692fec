import { loadTwilioOpenApi, type FormParams, type MatchedOperation } from './openapi-check';
import { findTwilioOpenApiFile } from './reference-dir';
import { validateTwiml } from './twiml-validator';

/**
 * Which of Twilio's operations a request is, and what is wrong with it: checked against Twilio's OpenAPI
 * description when it is there, else routed by a plain table of the operations the stand-in simulates.
 */

/** What the stand-in needs from the OpenAPI checker; a plain routing table stands in when it is off. */
export interface ApiChecker {
  match(method: string, pathname: string): MatchedOperation | null;
  checkRequest(match: MatchedOperation, query: FormParams, form: FormParams): string[];
  checkComponent(schemaName: string, body: unknown): string[];
}

const BUILTIN_ROUTES: Array<[string, string, string]> = [
  ['POST', '/2010-04-01/Accounts/{AccountSid}/Calls.json', 'CreateCall'],
  ['GET', '/2010-04-01/Accounts/{AccountSid}/Calls.json', 'ListCall'],
  ['POST', '/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json', 'UpdateCall'],
  ['GET', '/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json', 'FetchCall'],
  ['GET', '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json', 'ListIncomingPhoneNumber'],
  ['GET', '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json', 'FetchIncomingPhoneNumber'],
  ['POST', '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json', 'UpdateIncomingPhoneNumber'],
];

/** Routing without Twilio's OpenAPI file: the operations the stand-in simulates, no checks. */
function builtinApi(): ApiChecker {
  const table = BUILTIN_ROUTES.map(([method, template, operationId]) => {
    const names: string[] = [];
    const regex = new RegExp(
      `^${template
        .replace(/\{([^}]+)\}/g, (_, n: string) => {
          names.push(n);
          return '([^/]+)';
        })
        .replace(/\./g, '\\.')}$`,
    );
    return { method, template, operationId, names, regex };
  });
  return {
    match(method, pathname) {
      for (const r of table) {
        const m = r.method === method ? r.regex.exec(pathname) : null;
        if (m) {
          return { operationId: r.operationId, method, template: r.template, pathParams: Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])) };
        }
      }
      return null;
    },
    checkRequest: () => [],
    checkComponent: () => [],
  };
}

/** The checker for `checkOpenApi`: Twilio's description (true, or 'auto' when it is found) or the table. */
export function apiChecker(check: boolean | 'auto', referenceDir: string | undefined): { api: ApiChecker; openApiChecked: boolean } {
  const openApiChecked = check === true || (check === 'auto' && findTwilioOpenApiFile(referenceDir) !== null);
  return { api: openApiChecked ? loadTwilioOpenApi(referenceDir) : builtinApi(), openApiChecked };
}

/** A Basic authorization header for exactly this account and token. */
export function basicAuthOk(header: string | undefined, accountSid: string, authToken: string): boolean {
  const m = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  return decoded === `${accountSid}:${authToken}`;
}

/** Everything wrong with a matched request: its params per the OpenAPI, its account, its Twiml. */
export async function requestProblems(
  api: ApiChecker,
  match: MatchedOperation,
  req: { query: FormParams; params: FormParams },
  opts: { accountSid: string; validateTwimlParams?: boolean; referenceDir?: string },
): Promise<string[]> {
  const problems = api.checkRequest(match, req.query, req.params);
  if (match.pathParams.AccountSid && match.pathParams.AccountSid !== opts.accountSid) {
    problems.push(`${match.operationId}: path account ${match.pathParams.AccountSid} is not the authenticated one`);
  }
  if (opts.validateTwimlParams !== false && typeof req.params.Twiml === 'string') {
    const t = await validateTwiml(req.params.Twiml, { referenceDir: opts.referenceDir });
    problems.push(...t.errors.map((e) => `${match.operationId} Twiml: ${e}`));
  }
  return problems;
}
