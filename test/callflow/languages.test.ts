import assert from 'node:assert/strict';
import { CATALOGS } from '../../src/callflow/i18n/catalogs';
import type { Language } from '../../src/callflow/i18n/languages';
import { findAll, findOne, type TwimlNode } from '../../src/twilio-sim/twiml-parse';
import { CALLER_PIN, CallflowRig, type Answer } from '../support/callflow';

/**
 * A whole callback in French, German and Spanish through the real webhooks: every <Say> carries the
 * extension's language and a sentence of that language's catalog, the credit is said in euros, and
 * recorded prompts are <Play>ed where the sentence would be.
 */
const sayNodes = (n: TwimlNode): TwimlNode[] => [...(n.name === 'Say' ? [n] : []), ...n.children.flatMap(sayNodes)];

function assertSpoken(a: Answer, language: Language, expected: string[]): void {
  const says = sayNodes(a.tree);
  assert.deepEqual(
    says.map((s) => s.text),
    expected,
    a.xml,
  );
  for (const s of says) assert.equal(s.attrs.language, language, `<Say> without language ${language}: ${a.xml}`);
}

async function eurRates(rig: CallflowRig): Promise<string> {
  const rt = await rig.admin
    .post('/api/rate-tables', {
      name: `eur-${Math.random()}`,
      currency: 'EUR',
      rates: [
        { prefix: '+44', perMinute: '0.0200', initialSeconds: 60, incrementSeconds: 60 },
        { prefix: '+1', perMinute: '0.0100' },
      ],
    })
    .expect(201);
  return rt.body.id;
}

const CASES: { language: Language; credit: string; talk: string }[] = [
  { language: 'fr-FR', credit: 'Votre crédit est de 12 euros et 50 centimes.', talk: 'Vous pouvez parler pendant 4 heures.' },
  { language: 'de-DE', credit: 'Ihr Guthaben beträgt 12 Euro und 50 Cent.', talk: 'Sie können 4 Stunden telefonieren.' },
  { language: 'es-ES', credit: 'Su saldo es de 12 euros con 50 céntimos.', talk: 'Puede hablar durante 4 horas.' },
];

describe('call flow: the caller hears their language', () => {
  let rig: CallflowRig;
  beforeEach(async () => {
    rig = new CallflowRig();
    await rig.start();
  });
  afterEach(() => rig.stop());

  for (const c of CASES) {
    it(`when the extension speaks ${c.language}, then every prompt of a whole callback is its catalog's sentence in a <Say language="${c.language}">, the credit in euros`, async () => {
      const t = CATALOGS[c.language].sentences;
      await rig.seed({ callback: { language: c.language, allowCreditQuery: true }, client: { currency: 'EUR', credit: '12.50', rateTableId: await eurRates(rig) } });
      const { first, sid } = await rig.callbackAnswered();
      assertSpoken(first, c.language, [t.enterPassword]);
      const wrong = await rig.gather(first, '0000#', sid);
      assertSpoken(wrong, c.language, [t.wrongPassword, t.enterPassword]);
      const menu = await rig.gather(wrong, `${CALLER_PIN}#`, sid);
      assertSpoken(menu, c.language, [t.menu]);
      const credit = await rig.gather(menu, '1', sid);
      assertSpoken(credit, c.language, [c.credit, t.menu]);
      const invalid = await rig.gather(credit, '9', sid);
      assertSpoken(invalid, c.language, [t.invalidChoice, t.menu]);
      const dest = await rig.gather(invalid, '2', sid);
      assertSpoken(dest, c.language, [t.enterDestination]);
      const bad = await rig.gather(dest, '123#', sid);
      assertSpoken(bad, c.language, [t.invalidNumber, t.tryAgain, t.enterDestination]);
      const dial = await rig.gather(bad, '00442079460000#', sid);
      assertSpoken(dial, c.language, [c.talk, t.connecting]);
      assert.equal(findOne(dial.tree, 'Number').text, '+442079460000');
      const busy = await rig.dialEnded(dial, sid, { status: 'busy' });
      assertSpoken(busy, c.language, [t.busy, t.enterDestination]);
    });
  }

  it('when the language is "auto", then a French number hears French, a US number English, and a Swiss number the default language', async () => {
    await rig.seed({ callback: { language: 'auto', defaultLanguage: 'de-DE' } });
    for (const [number, language] of [
      ['+33612345678', 'fr-FR'],
      ['+41446681800', 'de-DE'],
      ['+12025550143', 'en-US'],
    ] as const) {
      if (number !== '+12025550143') {
        await rig.admin.post(`/api/extensions/${rig.extensionId}/authorized-callers`, { number, password: CALLER_PIN, credit: 'unlimited' }).expect(201);
      }
      const { first } = await rig.callbackAnswered(number);
      assertSpoken(first, language, [CATALOGS[language].sentences.enterPassword]);
      assert.equal(sayNodes(first.tree)[0]!.attrs.voice, undefined, 'auto leaves the voice to Twilio');
    }
  });

  it('when the voice is set, then every <Say> carries it with the language', async () => {
    await rig.seed({ callback: { language: 'pl-PL', voice: 'Polly.Ewa' } });
    const { first } = await rig.callbackAnswered();
    assertSpoken(first, 'pl-PL', ['Wprowadź kod PIN i zatwierdź krzyżykiem.']);
    assert.equal(sayNodes(first.tree)[0]!.attrs.voice, 'Polly.Ewa');
  });

  it('when prompts are recorded, then they are <Play>ed inside the same <Gather>, and the credit is said after its recording', async () => {
    const PIN = 'https://sounds.example.test/pin.mp3';
    const CREDIT = 'https://sounds.example.test/credit.mp3';
    await rig.seed({
      callback: { language: 'fr-FR', allowCreditQuery: true, prompts: { enterPassword: PIN, yourCredit: CREDIT } },
      client: { currency: 'EUR', credit: '12.50', rateTableId: await eurRates(rig) },
    });
    const { first, sid } = await rig.callbackAnswered();
    const gather = findOne(first.tree, 'Gather');
    assert.deepEqual(
      gather.children.map((n) => [n.name, n.text]),
      [['Play', PIN]],
    );
    assert.deepEqual(sayNodes(first.tree), []);
    const wrong = await rig.gather(first, '0000#', sid);
    assertSpoken(wrong, 'fr-FR', [CATALOGS['fr-FR'].sentences.wrongPassword]);
    assert.deepEqual(
      findOne(wrong.tree, 'Gather').children.map((n) => n.name),
      ['Play'],
    );
    const menu = await rig.gather(wrong, `${CALLER_PIN}#`, sid);
    const credit = await rig.gather(menu, '1', sid);
    const top = credit.tree.children.map((n) => [n.name, n.text]);
    assert.deepEqual(top.slice(0, 2), [
      ['Play', CREDIT],
      ['Say', '12 euros et 50 centimes'],
    ]);
    assert.equal(findAll(credit.tree, 'Say')[0]!.attrs.language, 'fr-FR');
  });
});
