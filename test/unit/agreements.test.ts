/**
 * The shipped agreement files and their loader: every file loads, carries the rules its treaty
 * text gives (with the article), and a broken file is refused with a message an operator can act
 * on (file, field, problem).
 */
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Agreement } from '../../protocol/agreement.ts';
import { agreementRules, markingLevel, missingLanguages } from '../../protocol/agreement.ts';
import { AgreementLoadError, loadAgreements, partiesOf } from '../../server/agreements.ts';

const AGREEMENTS_DIR = join(import.meta.dirname, '..', '..', 'agreements');
const SHIPPED = ['IR-KG', 'PK-BY', 'RU-PK', 'SCO', 'TJ-RU'];

const agreements = loadAgreements(AGREEMENTS_DIR);
function get(id: string): Agreement {
  const agreement = agreements.get(id);
  if (!agreement) throw new Error(`agreement ${id} is not shipped`);
  return agreement;
}

/** Every `article` string anywhere in the agreement, with its `provisional` flag if it has one. */
function rules(value: unknown, out: Array<{ article: string; provisional: boolean | undefined }> = []) {
  if (Array.isArray(value)) value.forEach((v) => rules(v, out));
  else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.article === 'string') {
      out.push({ article: record.article, provisional: record.provisional as boolean | undefined });
    }
    Object.values(record).forEach((v) => rules(v, out));
  }
  return out;
}

describe('shipped agreements', () => {
  it('loads every file in agreements/', () => {
    const files = readdirSync(AGREEMENTS_DIR).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(SHIPPED.map((id) => `${id}.json`));
    expect([...agreements.keys()].sort()).toEqual(SHIPPED);
  });

  it('cites its own agreement in every article', () => {
    for (const [id, agreement] of agreements) {
      const cited = rules(agreement);
      expect(cited.length).toBeGreaterThan(3);
      for (const rule of cited) expect(rule.article.startsWith(`${id} `)).toBe(true);
    }
  });

  it('marks every rule of a provisional agreement as provisional', () => {
    for (const id of ['PK-BY', 'TJ-RU']) {
      const agreement = get(id);
      expect(agreement.provisional).toBe(true);
      expect(agreement.status.state).toBe('provisional');
      const cited = rules({ ...agreement, status: undefined });
      for (const rule of cited) expect(rule.provisional, `${id}: ${rule.article}`).toBe(true);
      expect(agreement.languages.allOf).toEqual(['en']);
      expect(agreement.thirdPartyRelease.consentBy).toBe('originator');
      expect(agreement.markings.levels.map((l) => l.level).sort()).toEqual(['CONFIDENTIAL', 'RESTRICTED', 'SECRET', 'TOP SECRET']);
    }
  });

  it('lists the parties across agreements', () => {
    expect([...partiesOf(agreements)].sort()).toEqual(['BY', 'CN', 'IR', 'KG', 'KZ', 'PK', 'RU', 'TJ', 'UZ']);
    expect([...partiesOf([get('RU-PK')])].sort()).toEqual(['PK', 'RU']);
  });

  it('RU-PK: English translation required, originator consent, Russian national labels', () => {
    const ruPk = get('RU-PK');
    expect(ruPk.languages.allOf).toEqual(['en']);
    expect(ruPk.languages.article).toBe('RU-PK Art. 6');
    expect(ruPk.thirdPartyRelease).toEqual({ article: 'RU-PK Art. 7(4)', provisional: false, consentBy: 'originator' });
    expect(ruPk.confidentialitySurvivesTermination.article).toBe('RU-PK Art. 15(4)');
    expect(ruPk.refusalReasons?.article).toBe('RU-PK Art. 11');
    expect(ruPk.deadlines.execution).toBeUndefined();
    expect(markingLevel(ruPk, 'TOP SECRET')?.labels).toEqual({ RU: 'ОСОБОЙ ВАЖНОСТИ', PK: 'TOP SECRET' });
    expect(markingLevel(ruPk, 'RESTRICTED')?.labels.RU).toBe('ДЛЯ СЛУЖЕБНОГО ПОЛЬЗОВАНИЯ');
  });

  it('SCO: six parties, Russian or Chinese, treaty deadlines', () => {
    const sco = get('SCO');
    expect(sco.parties.map((p) => p.id)).toEqual(['KZ', 'CN', 'KG', 'RU', 'TJ', 'UZ']);
    expect(sco.parties.find((p) => p.id === 'KZ')?.authorities.length).toBeGreaterThanOrEqual(6);
    expect(sco.languages.anyOf).toEqual(['ru', 'zh']);
    expect(sco.languages.allOf).toEqual([]);
    expect(sco.deadlines.execution).toMatchObject({ days: 30, article: 'SCO Art. 6(1)' });
    expect(sco.deadlines.oralConfirmation).toMatchObject({ hours: 72, article: 'SCO Art. 5(2)' });
    expect(sco.deadlines.contactChangeNotice).toMatchObject({ days: 30, article: 'SCO Art. 2(2)' });
    expect(sco.purposeLimitation?.article).toBe('SCO Art. 7(2)');
    expect(sco.thirdPartyRelease.article).toBe('SCO Art. 7(3)');
  });

  it('SCO: China has no RESTRICTED equivalent', () => {
    const sco = get('SCO');
    expect(markingLevel(sco, 'RESTRICTED')?.labels).not.toHaveProperty('CN');
    expect(markingLevel(sco, 'SECRET')?.labels.CN).toBe('机密');
    expect(markingLevel(sco, 'TOP SECRET')?.labels.CN).toBe('绝密');
  });

  it('IR-KG: provisional marking table with Persian labels', () => {
    const irKg = get('IR-KG');
    expect(irKg.markings).toMatchObject({ article: 'IR-KG Art. 4', provisional: true });
    expect(markingLevel(irKg, 'TOP SECRET')?.labels.IR).toBe('به کلی سری');
    expect(markingLevel(irKg, 'RESTRICTED')?.labels.IR).toBe('محرمانه');
    expect(irKg.languages).toMatchObject({ allOf: ['en'], originalInSenderLanguage: true, article: 'IR-KG Art. 6' });
  });
});

describe('missingLanguages per agreement', () => {
  const original = (lang: string) => ({ role: 'original', lang });
  const translation = (lang: string) => ({ role: 'translation', lang });

  it('RU-PK: a Russian original needs an English translation', () => {
    const ruPk = get('RU-PK');
    expect(missingLanguages(ruPk, 'RU', [original('ru')])).toEqual({ missing: ['en'], reason: 'a translation into en is required', wording: { code: 'languages.translation-required', params: { languages: 'en' } } });
    expect(missingLanguages(ruPk, 'RU', [original('ru'), translation('en-GB')])).toBeNull();
    expect(missingLanguages(ruPk, 'RU', [original('ru'), { role: 'attachment', lang: 'en' }])?.missing).toEqual(['en']);
    expect(missingLanguages(ruPk, 'PK', [original('en')])).toBeNull();
  });

  it('SCO: Russian or Chinese, English alone is not enough', () => {
    const sco = get('SCO');
    expect(missingLanguages(sco, 'RU', [original('ru')])).toBeNull();
    expect(missingLanguages(sco, 'CN', [original('zh-Hans')])).toBeNull();
    expect(missingLanguages(sco, 'KZ', [original('kk'), translation('ru')])).toBeNull();
    expect(missingLanguages(sco, 'KZ', [original('en')])?.missing).toEqual(['ru', 'zh']);
  });

  it('IR-KG: original in the sender official language plus English', () => {
    const irKg = get('IR-KG');
    expect(missingLanguages(irKg, 'IR', [original('fa'), translation('en')])).toBeNull();
    expect(missingLanguages(irKg, 'KG', [original('ru'), translation('en')])).toBeNull();
    expect(missingLanguages(irKg, 'IR', [original('fa')])?.missing).toEqual(['en']);
    const wrongOriginal = missingLanguages(irKg, 'IR', [original('ru'), translation('en')]);
    expect(wrongOriginal?.missing).toEqual(['fa']);
    expect(wrongOriginal?.reason).toMatch(/official language of IR/);
  });

  it('provisional agreements: English required', () => {
    expect(missingLanguages(get('PK-BY'), 'BY', [original('ru')])?.missing).toEqual(['en']);
    expect(missingLanguages(get('TJ-RU'), 'TJ', [original('tg'), translation('en')])).toBeNull();
  });
});

describe('loadAgreements refuses a broken directory', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A temp copy of the shipped agreements, with one file edited. */
  function brokenCopy(file: string, edit: (json: Record<string, unknown>) => void): string {
    const dir = mkdtempSync(join(tmpdir(), 'liaison-agreements-'));
    dirs.push(dir);
    for (const name of readdirSync(AGREEMENTS_DIR)) copyFileSync(join(AGREEMENTS_DIR, name), join(dir, name));
    const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
    edit(json);
    writeFileSync(join(dir, file), JSON.stringify(json));
    return dir;
  }

  function loadError(dir: string): AgreementLoadError {
    try {
      loadAgreements(dir);
    } catch (err) {
      expect(err).toBeInstanceOf(AgreementLoadError);
      return err as AgreementLoadError;
    }
    throw new Error('loadAgreements accepted a broken directory');
  }

  type Levels = Array<{ level: string; labels: Record<string, string> }>;
  const levelsOf = (json: Record<string, unknown>) => (json.markings as { levels: Levels }).levels;

  it('names the file and field of an unknown level', () => {
    const err = loadError(brokenCopy('RU-PK.json', (json) => { levelsOf(json)[0]!.level = 'COSMIC'; }));
    expect(err.file.endsWith('RU-PK.json')).toBe(true);
    expect(err.field).toBe('markings.levels[0].level');
    expect(err.message).toMatch(/RU-PK\.json: markings\.levels\[0\]\.level: Invalid option/);
    expect(err.message).not.toContain('\n');
  });

  it('names an unknown field, at the top or nested', () => {
    const top = loadError(brokenCopy('SCO.json', (json) => { json.secretNotes = 'x'; }));
    expect(top.message).toMatch(/SCO\.json: secretNotes: unknown field/);
    const nested = loadError(brokenCopy('SCO.json', (json) => {
      (json.thirdPartyRelease as Record<string, unknown>).consentFrom = 'anyone';
    }));
    expect(nested.field).toBe('thirdPartyRelease.consentFrom');
    expect(nested.message).toMatch(/SCO\.json: thirdPartyRelease\.consentFrom: unknown field/);
  });

  it('names a label given for a party outside the agreement', () => {
    const err = loadError(brokenCopy('IR-KG.json', (json) => { levelsOf(json)[1]!.labels.CN = '机密'; }));
    expect(err.message).toMatch(/IR-KG\.json: markings\.levels\[1\]\.labels\.CN: CN is not a party of this agreement/);
  });

  it('reports every problem of a file in one message', () => {
    const err = loadError(brokenCopy('RU-PK.json', (json) => {
      levelsOf(json)[0]!.level = 'COSMIC';
      delete json.thirdPartyRelease;
    }));
    expect(err.message).toContain('markings.levels[0].level');
    expect(err.message).toContain('thirdPartyRelease');
  });

  it('refuses two files with the same id', () => {
    const dir = brokenCopy('RU-PK.json', () => {});
    copyFileSync(join(dir, 'RU-PK.json'), join(dir, 'RU-PK-copy.json'));
    const err = loadError(dir);
    expect(err.field).toBe('id');
    expect(err.file.endsWith('RU-PK-copy.json')).toBe(true);
    expect(err.message).toMatch(/RU-PK-copy\.json: id: agreement "RU-PK" is already defined in .*\/RU-PK\.json$/);
  });

  it('refuses a file not named after its id', () => {
    const dir = brokenCopy('TJ-RU.json', (json) => { json.id = 'TJ-RU-DRAFT'; });
    const err = loadError(dir);
    expect(err.file.endsWith('TJ-RU.json')).toBe(true);
    expect(err.message).toMatch(/TJ-RU\.json: id: agreement "TJ-RU-DRAFT" must be in a file named TJ-RU-DRAFT\.json/);
  });

  it('refuses a file that is not JSON', () => {
    const dir = brokenCopy('SCO.json', () => {});
    writeFileSync(join(dir, 'SCO.json'), '{ "id": "SCO",');
    expect(loadError(dir).message).toMatch(/SCO\.json: not readable as JSON/);
  });

  it('refuses a missing directory', () => {
    expect(loadError(join(tmpdir(), `liaison-no-such-dir-${process.pid}`)).message).toMatch(/cannot read the agreements directory/);
  });
});

describe('agreementRules: the rules in plain words, each with its article', () => {
  it('states RU-PK as its text does', () => {
    const rules = agreementRules(loadAgreements(AGREEMENTS_DIR).get('RU-PK')!);
    expect(rules.find((r) => r.topic === 'Languages')).toEqual({ topic: 'Languages', rule: 'every request and document carries all of en', article: 'RU-PK Art. 6', provisional: false });
    expect(rules.find((r) => r.topic === 'Third-party release')?.article).toBe('RU-PK Art. 7(4)');
    expect(rules.find((r) => r.topic === 'Markings')?.rule).toContain('SECRET (RU: СОВЕРШЕННО СЕКРЕТНО, PK: SECRET)');
    expect(rules.every((r) => r.article.startsWith('RU-PK '))).toBe(true);
  });

  it('marks every rule of a provisional agreement as provisional', () => {
    expect(agreementRules(loadAgreements(AGREEMENTS_DIR).get('TJ-RU')!).every((r) => r.provisional)).toBe(true);
  });
});
