/**
 * The security officer's page: the party's members as the browser verifies them, enrolment from a
 * public key, changes of clearance and roles, revocation. Every statement is built and signed in
 * the worker (client/core/officer.ts, the CLI's code).
 */
import { useEffect, useState } from 'preact/hooks';
import type { Status } from '../messages.ts';
import { ask } from '../rpc.ts';
import { Fingerprint, Problem, useAction, type T } from './ui.tsx';

interface MemberView {
  fingerprint: string;
  name: string;
  roles: string[];
  clearance: string;
  vouchedBy: string;
  revokedAt?: string;
  validUntil?: string;
}

export function Officer({ t, status }: { t: T; status: Status }) {
  const me = status.me!;
  const [members, setMembers] = useState<MemberView[]>([]);
  const [publicKey, setPublicKey] = useState('');
  const [roles, setRoles] = useState<string[]>(['contact']);
  const [clearance, setClearance] = useState('CONFIDENTIAL');
  const [validUntil, setValidUntil] = useState('');
  const [result, setResult] = useState('');
  const load = useAction(async () => setMembers(await ask<MemberView[]>({ op: 'members', party: me.party })));
  const enroll = useAction(async () => {
    const m = await ask<{ name: string }>({ op: 'enroll', publicKey, roles, clearance, ...(validUntil ? { validUntil: new Date(validUntil).toISOString() } : {}) });
    setResult(t('enrolled', { name: m.name }));
    setPublicKey('');
    await load.run();
  });
  const revoke = useAction(async (fingerprint: string) => {
    const reason = prompt(t('revokeReason'));
    if (!reason) return;
    await ask({ op: 'revoke', fingerprint, reason });
    await load.run();
  });
  useEffect(() => {
    void load.run();
  }, []);
  return (
    <section aria-labelledby="officer-title">
      <h1 id="officer-title">{t('officerTitle')}</h1>
      <h2>{t('members', { party: me.party })}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('name')}</th>
            <th scope="col">{t('fingerprint')}</th>
            <th scope="col">{t('roles')}</th>
            <th scope="col">{t('clearance')}</th>
            <th scope="col">{t('validUntil')}</th>
            <th scope="col">{t('revoke')}</th>
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.fingerprint}>
              <td>{m.name}</td>
              <td>
                <Fingerprint value={m.fingerprint} />
              </td>
              <td>{m.roles.join(', ')}</td>
              <td>{m.clearance}</td>
              <td>{m.validUntil ?? ''}</td>
              <td>
                {m.revokedAt ? (
                  t('revoked')
                ) : m.fingerprint === me.fingerprint ? null : (
                  <button type="button" onClick={() => void revoke.run(m.fingerprint)}>
                    {t('revoke')} <span class="visually-hidden">{m.name}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void enroll.run();
        }}
      >
        <h2>{t('enrollTitle')}</h2>
        <label>
          {t('memberPublicKey')}
          <textarea name="public-key" rows={6} required value={publicKey} onInput={(e) => setPublicKey(e.currentTarget.value)} />
        </label>
        <fieldset>
          <legend>{t('roles')}</legend>
          {['contact', 'clerk', 'officer'].map((r) => (
            <label key={r} class="inline">
              <input type="checkbox" name="roles" value={r} checked={roles.includes(r)} onChange={(e) => setRoles(e.currentTarget.checked ? [...roles, r] : roles.filter((x) => x !== r))} /> {r}
            </label>
          ))}
        </fieldset>
        <label>
          {t('clearance')}
          <select name="clearance" value={clearance} onChange={(e) => setClearance(e.currentTarget.value)}>
            {['RESTRICTED', 'CONFIDENTIAL', 'SECRET', 'TOP SECRET'].map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('validUntil')}
          <input name="valid-until" type="date" value={validUntil} onInput={(e) => setValidUntil(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={enroll.busy}>
          {t('enroll')}
        </button>
        {result ? <p role="status">{result}</p> : null}
        <Problem error={enroll.error ?? load.error ?? revoke.error} t={t} />
      </form>
    </section>
  );
}
