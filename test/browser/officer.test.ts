/**
 * The security officer in real Chromium against a real hub, beside the real
 * CLI: enrol a member from their public key file with roles, clearance and validity; change their
 * clearance and roles; revoke them, after which the member's own browser is told that the key
 * cannot act any more (not that a session expired); notify a contact and read the partner's
 * contacts, each verified against that party's officers; and rotate one's own key in the browser,
 * which the partner's CLI follows without a new pin. axe-core on each step, keyboard for the
 * revocation, no CSP violation, no page error.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Person } from '../../scripts/harness.ts';
import { pageViolations, tabTo, type Browser } from '../helpers/browser.ts';
import { browserAs, expectAccessible, exportKey, IMAGES, ok, world, type World } from './support.ts';

const NEW_PASSPHRASE = 'the new officer passphrase';

let w: World;
let sergei: Person, imran: Person, pavel: Person;
let officer: Browser;
let member: Browser | undefined;

interface ListedMember {
  fingerprint: string;
  name: string;
  roles: string[];
  clearance: string;
  validUntil?: string;
  revokedAt?: string;
}

async function membersSeenBy(person: Person, party: string): Promise<ListedMember[]> {
  return JSON.parse((await ok(person.run('members', party, '--json'))).stdout) as ListedMember[];
}

beforeAll(async () => {
  w = await world([
    ['Sergei Volkov', 'RU'],
    ['Imran Qureshi', 'PK'],
  ]);
  [sergei, imran] = w.officers as [Person, Person];
  pavel = new Person('Pavel Orlov', 'RU', w.root);
  await ok(pavel.run('keygen', '--name', pavel.name));
  for (const o of w.officers) await ok(pavel.run('trust', 'add', '--party', o.party, '--officer', o.fingerprint));
  officer = await browserAs(w, sergei);
}, 600_000);

afterAll(async () => {
  await officer?.close();
  await member?.close();
  await w?.close();
  if (w) rmSync(w.root, { recursive: true, force: true });
});

describe('a security officer in the browser', () => {
  it('enrolls a member from their public key file with roles, clearance and validity; the CLI verifies the statement', async () => {
    const { page } = officer;
    await page.getByRole('link', { name: 'Security officer' }).click();
    await page.getByRole('heading', { name: 'Members of RU' }).waitFor({ timeout: 30_000 });
    await page.getByLabel(/public key file/).setInputFiles(await exportKey(w.root, pavel));
    await expect.poll(async () => (await page.getByLabel(/public key \(armored\)/).inputValue()).includes('BEGIN PGP PUBLIC KEY BLOCK')).toBe(true);
    await page.getByLabel('Clearance').selectOption('SECRET');
    const nextYear = new Date().getFullYear() + 1;
    await page.getByLabel('Valid until').fill(`${nextYear}-06-30`);
    await page.getByRole('button', { name: 'Sign and enroll' }).click();
    await page.getByRole('status').filter({ hasText: 'Enrolled Pavel Orlov' }).waitFor({ timeout: 30_000 });
    const row = page.locator('tr', { has: page.getByRole('cell', { name: 'Pavel Orlov', exact: true }) });
    expect(await row.locator('td').nth(2).textContent()).toBe('contact');
    expect(await row.locator('td').nth(3).textContent()).toBe('SECRET');
    await ok(pavel.run('login', '--server', w.hub.url));
    const seen = (await membersSeenBy(imran, 'RU')).find((m) => m.fingerprint === pavel.fingerprint)!;
    expect(seen).toMatchObject({ name: 'Pavel Orlov', roles: ['contact'], clearance: 'SECRET' });
    expect(seen.validUntil!.startsWith(`${nextYear}-06-`)).toBe(true);
  }, 120_000);

  it("changes the member's clearance and roles with a new signed statement", async () => {
    const { page } = officer;
    await page.getByRole('button', { name: 'Change roles or clearance Pavel Orlov' }).click();
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Change the roles or clearance of Pavel Orlov' }) });
    await form.getByRole('checkbox', { name: 'clerk' }).check();
    await form.getByLabel('Clearance').selectOption('CONFIDENTIAL');
    await expectAccessible(officer);
    await form.getByRole('button', { name: 'Sign the new statement' }).click();
    await page.getByRole('status').filter({ hasText: 'Pavel Orlov now has the roles contact, clerk and clearance CONFIDENTIAL.' }).waitFor({ timeout: 30_000 });
    const seen = (await membersSeenBy(imran, 'RU')).find((m) => m.fingerprint === pavel.fingerprint)!;
    expect(seen).toMatchObject({ roles: ['contact', 'clerk'], clearance: 'CONFIDENTIAL' });
  }, 120_000);

  it('notifies a contact person, and shows the partner’s contacts verified against its officers', async () => {
    const { page } = officer;
    await page.getByLabel('Agreement', { exact: true }).fill('RU-PK');
    await page.getByLabel('Name of the person or authority').fill('Анна Кузнецова');
    await page.getByLabel('Position or unit').fill('Отдел международного сотрудничества');
    await page.getByLabel('Telephone').fill('+7 495 000 00 00');
    await page.getByLabel('In effect from').fill(new Date().toISOString().slice(0, 10));
    await page.getByRole('button', { name: 'Sign and notify' }).click();
    await page.getByRole('status').filter({ hasText: 'Notified: Анна Кузнецова.' }).waitFor({ timeout: 30_000 });
    await page.getByRole('cell', { name: 'Анна Кузнецова' }).waitFor();
    const pkSees = JSON.parse((await ok(imran.run('contacts', 'RU', '--json'))).stdout) as Array<{ name: string; phone: string }>;
    expect(pkSees).toMatchObject([{ name: 'Анна Кузнецова', phone: '+7 495 000 00 00' }]);
    await ok(imran.run('officer', 'contact', '--agreement', 'RU-PK', '--name', 'Bilal Ahmed', '--position', 'FIA liaison desk', '--effective', new Date().toISOString().slice(0, 10)));
    await page.getByLabel('Party', { exact: true }).fill('PK');
    await page.getByRole('button', { name: 'Show contacts' }).click();
    await page.getByRole('heading', { name: 'Contact directory of PK' }).waitFor({ timeout: 30_000 });
    await page.getByRole('cell', { name: 'Bilal Ahmed' }).waitFor();
    await expectAccessible(officer);
    await page.screenshot({ path: join(IMAGES, 'web-officer-contacts.png'), fullPage: true });
  }, 120_000);

  it('revokes the member by keyboard; the member’s own browser is told the key cannot act any more', async () => {
    member = await browserAs(w, pavel);
    const { page } = officer;
    await page.locator('body').focus();
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Revoke Pavel Orlov', 120);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Revoke the key of Pavel Orlov' }).waitFor();
    await tabTo(page, (el) => el.name === 'revoke-reason');
    await page.keyboard.type('Left the service');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Revoked Pavel Orlov' }).waitFor({ timeout: 30_000 });
    await expectAccessible(officer);
    // The member's session now answers with the hub's reason, and the browser says it.
    await member.page.getByRole('button', { name: 'Refresh' }).click();
    const alert = member.page.getByRole('alert').filter({ hasText: 'this key cannot act any more' });
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.textContent()).toMatch(/this key cannot act any more: .*revoked.*; ask your security officer/);
    expect(await alert.textContent()).not.toMatch(/expired/);
    await member.page.getByRole('heading', { name: 'Log in to this hub' }).waitFor();
    expect(member.violations).toEqual([]);
    await member.close();
    member = undefined;
    const seen = (await membersSeenBy(imran, 'RU')).find((m) => m.fingerprint === pavel.fingerprint)!;
    expect(seen.revokedAt).toBeDefined();
  }, 120_000);

  it('rotates its own key in the browser; the partner’s CLI follows the rotation without a new pin', async () => {
    const { page } = officer;
    await page.getByLabel('Passphrase of the new key').fill(NEW_PASSPHRASE);
    await page.getByLabel('Passphrase again').fill(NEW_PASSPHRASE);
    await page.getByRole('button', { name: 'Make a new key and rotate' }).click();
    await page.getByRole('heading', { name: 'Log in to this hub' }).waitFor({ timeout: 60_000 });
    const rotated = ((await page.locator('code.fingerprint').first().textContent()) ?? '').replace(/\s+/g, '');
    expect(rotated).toMatch(/^[0-9A-F]{40}$/);
    expect(rotated).not.toBe(sergei.fingerprint);
    await page.getByRole('button', { name: 'Log in' }).click();
    // Logged in with the new key, back on the officer's page.
    await page.getByRole('heading', { name: 'Members of RU' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('header .who').textContent()).toContain('Sergei Volkov · RU · officer');
    const seen = await membersSeenBy(imran, 'RU');
    expect(seen.find((m) => m.fingerprint === rotated)?.roles).toContain('officer');
    // The members verify through the rotation in this browser too (the pin is still the old key).
    await page.getByRole('cell', { name: 'Pavel Orlov', exact: true }).waitFor({ timeout: 30_000 });
    expect(await page.locator('tr', { hasText: 'you' }).locator('code.fingerprint').first().textContent()).toBe(rotated.match(/.{4}/g)!.join(' '));
    await expectAccessible(officer);
  }, 180_000);

  it('reported no CSP violation and no page error', async () => {
    expect(officer.violations).toEqual([]);
    expect(await pageViolations(officer.page)).toEqual([]);
  });
});
