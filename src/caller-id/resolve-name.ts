import { sanitizeHeaderText } from './sanitize-text';
import type { CallerIdInput, TraceStep } from './types';

// Names end up in SIP headers and call records, so they are cleaned once here for both.
function cleanName(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const cleaned = sanitizeHeaderText(value).trim();
  return cleaned === '' ? null : cleaned;
}

/** The name rules of issue 7. Whether the name is actually transmitted depends on the route (see resolve-caller-id). */
export function resolveName(input: CallerIdInput, trace: TraceStep[]): string | null {
  const { extension, equipment } = input;
  const setting = extension.callerId.name;
  const contactName = cleanName(extension.name);

  if (setting.mode === 'equipment') {
    const name = cleanName(equipment.name);
    trace.push(
      name === null
        ? { rule: 'name.equipment.none', detail: 'Name mode is "set by equipment" and the caller\'s phone presented no name: no name.' }
        : { rule: 'name.equipment', detail: `Name mode is "set by equipment": the name the caller's phone presented, "${name}".` },
    );
    return name;
  }
  if (setting.mode === 'user') {
    const name = cleanName(setting.value);
    if (name !== null) {
      trace.push({ rule: 'name.user', detail: `Name mode is "set by user": the custom value "${name}".` });
      return name;
    }
    // The seed says the user field defaults to the contact name, so an empty value means "as the server would".
    trace.push({
      rule: 'name.user.missing-value-fallback-server',
      detail: `Name mode is "set by user" but no value is set; using the contact name${contactName === null ? ' (none)' : ` "${contactName}"`}.`,
    });
    return contactName;
  }
  trace.push(
    contactName === null
      ? { rule: 'name.server.none', detail: 'Name mode is "set by server" and the extension has no contact name: no name.' }
      : { rule: 'name.server', detail: `Name mode is "set by server": the extension's contact name "${contactName}".` },
  );
  return contactName;
}
