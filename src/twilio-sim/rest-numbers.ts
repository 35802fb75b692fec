import type { FormParams } from './openapi-check';
import { API, notFound, one, rfc2822, sid, type Resource } from './rest-format';

/** The stand-in's IncomingPhoneNumber resources: seeded by tests, listed, fetched and updated by the service. */

export interface NumberSeed {
  phoneNumber: string;
  friendlyName?: string;
  voiceUrl?: string;
  smsUrl?: string;
  smsMethod?: 'GET' | 'POST';
  /** What the number can do (default: voice and SMS). */
  capabilities?: { voice?: boolean; sms?: boolean; mms?: boolean; fax?: boolean };
  sid?: string;
}

/**
 * The form fields UpdateIncomingPhoneNumber takes that the stand-in stores, each on the resource field
 * of the same name (SmsUrl -> sms_url). Twilio ignores any other field; AccountSid (moving the number
 * to a subaccount) and ApiVersion are not simulated.
 */
const UPDATABLE = new Set([
  'FriendlyName',
  'SmsApplicationSid',
  'SmsFallbackMethod',
  'SmsFallbackUrl',
  'SmsMethod',
  'SmsUrl',
  'StatusCallback',
  'StatusCallbackMethod',
  'VoiceApplicationSid',
  'VoiceCallerIdLookup',
  'VoiceFallbackMethod',
  'VoiceFallbackUrl',
  'VoiceMethod',
  'VoiceUrl',
  'EmergencyStatus',
  'EmergencyAddressSid',
  'TrunkSid',
  'VoiceReceiveMode',
  'IdentitySid',
  'AddressSid',
  'BundleSid',
]);

const NUMBER_SCHEMA = 'api.v2010.account.incoming_phone_number';

export class NumberStore {
  private readonly numbers = new Map<string, Resource>();

  constructor(
    private readonly accountSid: string,
    private readonly checkOwn: (schema: string, body: Resource) => void,
  ) {}

  clear(): void {
    this.numbers.clear();
  }

  all(): Resource[] {
    return [...this.numbers.values()];
  }

  fetch(numberSid: string): [number, unknown] {
    const n = this.numbers.get(numberSid);
    return n ? [200, n] : notFound(numberSid);
  }

  add(n: NumberSeed): Resource {
    const now = rfc2822(new Date());
    const numberSid = n.sid ?? sid('PN');
    const acc = this.accountSid;
    const resource: Resource = {
      account_sid: acc,
      address_sid: null,
      address_requirements: 'none',
      api_version: '2010-04-01',
      beta: false,
      capabilities: { voice: true, sms: true, mms: false, fax: false, ...n.capabilities },
      date_created: now,
      date_updated: now,
      friendly_name: n.friendlyName ?? n.phoneNumber,
      identity_sid: null,
      phone_number: n.phoneNumber,
      origin: 'twilio',
      sid: numberSid,
      sms_application_sid: null,
      sms_fallback_method: 'POST',
      sms_fallback_url: null,
      sms_method: n.smsMethod ?? 'POST',
      sms_url: n.smsUrl ?? null,
      status_callback: null,
      status_callback_method: 'POST',
      trunk_sid: null,
      uri: `${API}/Accounts/${acc}/IncomingPhoneNumbers/${numberSid}.json`,
      voice_receive_mode: 'voice',
      voice_application_sid: null,
      voice_caller_id_lookup: false,
      voice_fallback_method: 'POST',
      voice_fallback_url: null,
      voice_method: 'POST',
      voice_url: n.voiceUrl ?? null,
      emergency_status: 'Inactive',
      emergency_address_sid: null,
      emergency_address_status: 'unregistered',
      bundle_sid: null,
      status: 'in-use',
      type: 'local',
      subresource_uris: { assigned_add_ons: `${API}/Accounts/${acc}/IncomingPhoneNumbers/${numberSid}/AssignedAddOns.json` },
    };
    this.checkOwn(NUMBER_SCHEMA, resource);
    this.numbers.set(numberSid, resource);
    return resource;
  }

  /** One page of numbers filtered by PhoneNumber and FriendlyName, with Twilio's paging URIs. */
  list(q: FormParams): [number, unknown] {
    const pageSize = Number(one(q.PageSize) ?? 50);
    const page = Number(one(q.Page) ?? 0);
    const phone = one(q.PhoneNumber);
    const friendly = one(q.FriendlyName);
    const all = this.all().filter((n) => (!phone || n.phone_number === phone) && (!friendly || n.friendly_name === friendly));
    const start = page * pageSize;
    const items = all.slice(start, start + pageSize);
    const base = `${API}/Accounts/${this.accountSid}/IncomingPhoneNumbers.json`;
    const filters = [phone ? `PhoneNumber=${encodeURIComponent(phone)}` : '', friendly ? `FriendlyName=${encodeURIComponent(friendly)}` : '']
      .filter(Boolean)
      .map((f) => `&${f}`)
      .join('');
    const pageUri = (n: number) => `${base}?PageSize=${pageSize}${filters}&Page=${n}${n > 0 ? `&PageToken=PT${n * pageSize}` : ''}`;
    const body = {
      end: start + Math.max(items.length - 1, 0),
      first_page_uri: pageUri(0),
      next_page_uri: start + pageSize < all.length ? pageUri(page + 1) : null,
      page,
      page_size: pageSize,
      previous_page_uri: page > 0 ? pageUri(page - 1) : null,
      start,
      uri: pageUri(page),
      incoming_phone_numbers: items,
    };
    return [200, body];
  }

  update(numberSid: string, p: FormParams): [number, unknown] {
    const n = this.numbers.get(numberSid);
    if (!n) return notFound(numberSid);
    // Form field VoiceUrl -> resource field voice_url, and so on.
    for (const [k, v] of Object.entries(p)) {
      if (!UPDATABLE.has(k)) continue;
      const field = k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
      const value = one(v) ?? null;
      n[field] = field === 'voice_caller_id_lookup' ? value === 'true' : value;
    }
    n.date_updated = rfc2822(new Date());
    this.checkOwn(NUMBER_SCHEMA, n);
    return [200, n];
  }
}
