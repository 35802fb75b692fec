import assert from 'node:assert/strict';
import { checkPrefixes, normalizeDestination } from '../../src/callflow/destination';

const UK_CALLED_BACK = '+442071838750';
const US_CALLED_BACK = '+12025550143';
const FR_CALLED_BACK = '+33612345678';

describe('destination normalization', () => {
  const accepted: { name: string; digits: string; calledBack: string; e164: string }[] = [
    { name: 'when a UK caller dials a national London number, then it gets +44', digits: '02079460000', calledBack: UK_CALLED_BACK, e164: '+442079460000' },
    { name: 'when a US caller dials ten digits, then it gets +1', digits: '2025550186', calledBack: US_CALLED_BACK, e164: '+12025550186' },
    { name: 'when a US caller dials 1 and ten digits, then the trunk prefix is understood', digits: '12025550186', calledBack: US_CALLED_BACK, e164: '+12025550186' },
    { name: 'when a French caller dials a national mobile, then it gets +33', digits: '0612345678', calledBack: FR_CALLED_BACK, e164: '+33612345678' },
    { name: 'when a US caller dials 011, then it is the international prefix', digits: '011442079460000', calledBack: US_CALLED_BACK, e164: '+442079460000' },
    {
      name: 'when a UK caller dials 011 and a full international number, then 011 is still accepted',
      digits: '011442079460000',
      calledBack: UK_CALLED_BACK,
      e164: '+442079460000',
    },
    { name: 'when a UK caller dials 00, then it is the international prefix', digits: '00442079460000', calledBack: UK_CALLED_BACK, e164: '+442079460000' },
    { name: 'when a US caller dials 00, then 00 is accepted too', digits: '00442079460000', calledBack: US_CALLED_BACK, e164: '+442079460000' },
    { name: 'when a US caller dials 00 to France, then +33', digits: '0033612345678', calledBack: US_CALLED_BACK, e164: '+33612345678' },
    { name: 'when a leading star is dialed, then it stands for +', digits: '*442079460000', calledBack: US_CALLED_BACK, e164: '+442079460000' },
    { name: 'when a leading star and a US number, then +1', digits: '*12025550186', calledBack: UK_CALLED_BACK, e164: '+12025550186' },
    { name: 'when the entry ends with #, then the # is dropped', digits: '02079460000#', calledBack: UK_CALLED_BACK, e164: '+442079460000' },
    {
      // Both readings are valid numbers: Leeds +44 113 522 5555 and Luxembourg +352 25555. The caller's
      // own country decides: in the UK 0113 is Leeds, in the US 011 is the way abroad.
      name: 'when a UK caller dials 0113 (Leeds) digits that also read as 011 + Luxembourg, then Leeds',
      digits: '01135225555',
      calledBack: UK_CALLED_BACK,
      e164: '+441135225555',
    },
    {
      name: 'when a US caller dials the same digits, then 011 is international and it is Luxembourg',
      digits: '01135225555',
      calledBack: US_CALLED_BACK,
      e164: '+35225555',
    },
    {
      name: 'when the called-back number has no country (invalid), then international entries still work',
      digits: '00442079460000',
      calledBack: 'not a number',
      e164: '+442079460000',
    },
  ];
  for (const c of accepted) {
    it(c.name, () => assert.deepEqual(normalizeDestination(c.digits, c.calledBack), { ok: true, e164: c.e164 }));
  }

  const refused: { name: string; digits: string; calledBack?: string; reason: 'empty' | 'invalid' }[] = [
    { name: 'when nothing is dialed, then empty', digits: '', reason: 'empty' },
    { name: 'when only # is dialed, then empty', digits: '#', reason: 'empty' },
    { name: 'when only a star is dialed, then invalid', digits: '*', reason: 'invalid' },
    { name: 'when a star is in the middle, then invalid', digits: '0207*9460000', reason: 'invalid' },
    { name: 'when two leading stars, then invalid', digits: '**442079460000', reason: 'invalid' },
    { name: 'when # is in the middle, then invalid', digits: '0207#9460000', reason: 'invalid' },
    { name: 'when a plus sign is sent (no keypad has one), then invalid', digits: '+442079460000', reason: 'invalid' },
    { name: 'when letters are sent, then invalid', digits: 'abc', reason: 'invalid' },
    { name: 'when too few digits, then invalid', digits: '123', reason: 'invalid' },
    { name: 'when a national number has a digit too many, then invalid', digits: '020794600001', reason: 'invalid' },
    { name: 'when the country code does not exist, then invalid', digits: '*999123456789', reason: 'invalid' },
    { name: 'when only the international prefix is dialed, then invalid', digits: '00', reason: 'invalid' },
    { name: 'when the keypad was held down, then invalid', digits: '0'.repeat(40), reason: 'invalid' },
    { name: 'when a national number is dialed but the called-back number has no country, then invalid', digits: '02079460000', calledBack: '', reason: 'invalid' },
  ];
  for (const c of refused) {
    it(c.name, () => assert.deepEqual(normalizeDestination(c.digits, c.calledBack ?? UK_CALLED_BACK), { ok: false, reason: c.reason }));
  }
});

describe('destination prefix rules', () => {
  const cases: { name: string; e164: string; allow: string[]; deny: string[]; ok: boolean }[] = [
    { name: 'when there are no rules, then everything is allowed', e164: '+442079460000', allow: [], deny: [], ok: true },
    { name: 'when the number matches an allow prefix, then allowed', e164: '+442079460000', allow: ['+1', '+44'], deny: [], ok: true },
    { name: 'when the allow list is non-empty and does not match, then denied', e164: '+33612345678', allow: ['+44'], deny: [], ok: false },
    { name: 'when the number matches a deny prefix, then denied', e164: '+19005550100', allow: [], deny: ['+1900'], ok: false },
    { name: 'when both allow and deny match, then deny wins', e164: '+449098790000', allow: ['+44'], deny: ['+449'], ok: false },
    { name: 'when allowed and a deny prefix does not match, then allowed', e164: '+442079460000', allow: ['+44'], deny: ['+449'], ok: true },
    { name: 'when a prefix is longer than the number part it resembles, then no match', e164: '+4420', allow: ['+44207'], deny: [], ok: false },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(checkPrefixes(c.e164, c.allow, c.deny), c.ok ? { ok: true } : { ok: false, reason: 'denied' }));
  }
});
