import type { FormParams } from './openapi-check';
import { API, camel, ENDED, notFound, one, rfc2822, sid, twilioError, type CallStatus, type Resource } from './rest-format';

/** The stand-in's Call resources: create, update (redirect, cancel, complete), fetch, list. */

export interface CallRecord {
  resource: Resource;
  /** Last Url or Twiml the call was created or redirected with. */
  url: string | null;
  twiml: string | null;
}

export interface CallState {
  status?: CallStatus;
  duration?: number | null;
  answeredBy?: string | null;
  parentCallSid?: string | null;
}

const SUBRESOURCES = ['notifications', 'recordings', 'payments', 'events', 'siprec', 'streams', 'user_defined_message_subscriptions', 'user_defined_messages'];

export class CallStore {
  private readonly calls = new Map<string, CallRecord>();

  constructor(
    private readonly accountSid: string,
    /** Reports a resource the stand-in made that does not fit Twilio's schema. */
    private readonly checkOwn: (schema: string, body: Resource) => void,
    private readonly violation: (message: string) => void,
  ) {}

  clear(): void {
    this.calls.clear();
  }

  get(callSid: string): CallRecord | undefined {
    return this.calls.get(callSid);
  }

  fetch(callSid: string): [number, unknown] {
    const call = this.calls.get(callSid);
    return call ? [200, call.resource] : notFound(callSid);
  }

  /** Moves the call as Twilio's status callbacks would have moved it. */
  setState(callSid: string, state: CallState): void {
    const call = this.calls.get(callSid);
    if (!call) throw new Error(`no call ${callSid} in the stand-in`);
    const r = call.resource;
    const now = new Date();
    if (state.status) {
      r.status = state.status;
      if (state.status === 'in-progress' && !r.start_time) r.start_time = rfc2822(now);
      if (ENDED.has(state.status) && !r.end_time) r.end_time = rfc2822(now);
    }
    if (state.duration !== undefined) r.duration = state.duration === null ? null : String(state.duration);
    if (state.answeredBy !== undefined) r.answered_by = state.answeredBy;
    if (state.parentCallSid !== undefined) r.parent_call_sid = state.parentCallSid;
    r.date_updated = rfc2822(now);
  }

  create(p: FormParams): [number, unknown] {
    if (!p.Url && !p.Twiml && !p.ApplicationSid) {
      this.violation('CreateCall: none of Url, Twiml, ApplicationSid given');
      return [400, twilioError(400, 21205, 'Url parameter is required.')];
    }
    const callSid = sid('CA');
    const acc = this.accountSid;
    const now = rfc2822(new Date());
    const to = one(p.To) ?? '';
    const from = one(p.From) ?? '';
    const resource: Resource = {
      sid: callSid,
      date_created: now,
      date_updated: now,
      parent_call_sid: null,
      account_sid: acc,
      to,
      to_formatted: to,
      from,
      from_formatted: from,
      phone_number_sid: null,
      status: 'queued',
      start_time: null,
      end_time: null,
      duration: null,
      price: null,
      price_unit: 'USD',
      direction: 'outbound-api',
      answered_by: null,
      api_version: '2010-04-01',
      forwarded_from: null,
      group_sid: null,
      caller_name: null,
      queue_time: '0',
      trunk_sid: null,
      uri: `${API}/Accounts/${acc}/Calls/${callSid}.json`,
      subresource_uris: Object.fromEntries(SUBRESOURCES.map((s) => [s, `${API}/Accounts/${acc}/Calls/${callSid}/${camel(s)}.json`])),
    };
    this.checkOwn('api.v2010.account.call', resource);
    this.calls.set(callSid, { resource, url: one(p.Url) ?? null, twiml: one(p.Twiml) ?? null });
    return [201, resource];
  }

  update(callSid: string, p: FormParams): [number, unknown] {
    const call = this.calls.get(callSid);
    if (!call) return notFound(callSid);
    const r = call.resource;
    const status = String(r.status);
    if ((p.Url || p.Twiml) && ENDED.has(status)) {
      return [400, twilioError(400, 21220, 'Call is not in-progress. Cannot redirect.')];
    }
    if (p.Url) call.url = one(p.Url) ?? null;
    if (p.Twiml) call.twiml = one(p.Twiml) ?? null;
    const wanted = one(p.Status);
    // Twilio: canceled ends a queued or ringing call; completed ends it whatever its live state.
    if (wanted === 'canceled' && (status === 'queued' || status === 'ringing')) this.setState(callSid, { status: 'canceled' });
    if (wanted === 'completed' && !ENDED.has(status)) {
      this.setState(callSid, { status: 'completed', duration: status === 'in-progress' ? Number(r.duration ?? 0) : 0 });
    }
    r.date_updated = rfc2822(new Date());
    return [200, r];
  }

  /** Calls filtered by To, From and ParentCallSid (one page: enough for the service's look-ups). */
  list(q: FormParams): [number, unknown] {
    const pageSize = Number(one(q.PageSize) ?? 50);
    const to = one(q.To);
    const from = one(q.From);
    const parent = one(q.ParentCallSid);
    const items = [...this.calls.values()]
      .map((c) => c.resource)
      .filter((c) => (!to || c.to === to) && (!from || c.from === from) && (!parent || c.parent_call_sid === parent))
      .slice(0, pageSize);
    const uri = `${API}/Accounts/${this.accountSid}/Calls.json?PageSize=${pageSize}&Page=0`;
    return [
      200,
      { calls: items, end: Math.max(items.length - 1, 0), first_page_uri: uri, next_page_uri: null, page: 0, page_size: pageSize, previous_page_uri: null, start: 0, uri },
    ];
  }
}
