/**
 * The security officer's page: the party's members as this browser verifies them (each key
 * checked against a statement chaining to a pinned officer), enrolment from a member's public key
 * file, changes of clearance and roles, revocation with a reason, rotation of one's own key, and
 * the contact directory of any party, each entry verified against that party's officers. Every
 * statement is built and signed in the worker (client/core/officer.ts, the CLI's code); this page
 * shows and collects.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ContactForm, ContactView, Status } from '../messages.ts';
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

const ROLES = ['contact', 'clerk', 'officer'];
const LEVELS = ['RESTRICTED', 'CONFIDENTIAL', 'SECRET', 'TOP SECRET'];

function RoleBoxes({ t, roles, setRoles, legend, name }: { t: T; roles: string[]; setRoles: (r: string[]) => void; legend: string; name: string }) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {ROLES.map((r) => (
        <label key={r} class="inline">
          <input type="checkbox" name={name} value={r} checked={roles.includes(r)} onChange={(e) => setRoles(e.currentTarget.checked ? [...roles, r] : roles.filter((x) => x !== r))} /> {t(`role_${r}` as 'role_contact')}
        </label>
      ))}
    </fieldset>
  );
}

function LevelSelect({ t, value, setValue, name }: { t: T; value: string; setValue: (v: string) => void; name: string }) {
  return (
    <label>
      {t('clearance')}
      <select name={name} value={value} onChange={(e) => setValue(e.currentTarget.value)}>
        {LEVELS.map((l) => (
          <option key={l} value={l}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Officer({ t, status, onStatus }: { t: T; status: Status; onStatus: (s: Status) => void }) {
  const me = status.me!;
  const [members, setMembers] = useState<MemberView[]>([]);
  const [picked, setPicked] = useState<{ member: MemberView; action: 'change' | 'revoke' } | null>(null);
  const [result, setResult] = useState('');
  const load = useAction(async () => setMembers(await ask<MemberView[]>({ op: 'members', party: me.party })));
  useEffect(() => {
    void load.run();
  }, []);
  const done = async (message: string) => {
    setPicked(null);
    setResult(message);
    await load.run();
  };
  return (
    <section aria-labelledby="officer-title">
      <h1 id="officer-title">{t('officerTitle')}</h1>
      <h2>{t('members', { party: me.party })}</h2>
      <p class="hint">{t('membersHint')}</p>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('name')}</th>
            <th scope="col">{t('fingerprint')}</th>
            <th scope="col">{t('roles')}</th>
            <th scope="col">{t('clearance')}</th>
            <th scope="col">{t('validUntil')}</th>
            <th scope="col">{t('vouchedByColumn')}</th>
            <th scope="col">{t('actions')}</th>
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.fingerprint} class={m.revokedAt ? 'revoked' : ''}>
              <td>{m.name}</td>
              <td>
                <Fingerprint value={m.fingerprint} />
              </td>
              <td>{m.roles.join(', ')}</td>
              <td>{m.clearance}</td>
              <td>{m.validUntil ? new Date(m.validUntil).toLocaleDateString() : ''}</td>
              <td>{m.vouchedBy === 'pinned' ? t('pinnedOfficer') : <Fingerprint value={m.vouchedBy} />}</td>
              <td>
                {m.revokedAt ? (
                  `${t('revoked')} ${new Date(m.revokedAt).toLocaleString()}`
                ) : m.fingerprint === me.fingerprint ? (
                  t('you')
                ) : (
                  <>
                    <button type="button" onClick={() => setPicked({ member: m, action: 'change' })}>
                      {t('changeMember')} <span class="visually-hidden">{m.name}</span>
                    </button>{' '}
                    <button type="button" onClick={() => setPicked({ member: m, action: 'revoke' })}>
                      {t('revoke')} <span class="visually-hidden">{m.name}</span>
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {result ? <p role="status">{result}</p> : null}
      <Problem error={load.error} t={t} />
      {picked?.action === 'change' ? <ChangeForm key={picked.member.fingerprint} t={t} member={picked.member} onCancel={() => setPicked(null)} onDone={done} /> : null}
      {picked?.action === 'revoke' ? <RevokeForm key={picked.member.fingerprint} t={t} member={picked.member} onCancel={() => setPicked(null)} onDone={done} /> : null}
      <EnrollForm t={t} onDone={done} />
      <ContactDirectory t={t} party={me.party} />
      <RotateForm t={t} onStatus={onStatus} />
    </section>
  );
}

function ChangeForm({ t, member, onCancel, onDone }: { t: T; member: MemberView; onCancel: () => void; onDone: (m: string) => Promise<void> }) {
  const [roles, setRoles] = useState(member.roles);
  const [clearance, setClearance] = useState(member.clearance);
  const change = useAction(async () => {
    const r = await ask<{ member: { name: string; roles: string[]; clearance: string } }>({ op: 'restate', fingerprint: member.fingerprint, roles, clearance });
    await onDone(t('restated', { name: r.member.name, roles: r.member.roles.join(', '), clearance: r.member.clearance }));
  });
  return (
    <form
      aria-labelledby="change-title"
      onSubmit={(e) => {
        e.preventDefault();
        void change.run();
      }}
    >
      <h2 id="change-title">{t('changeTitle', { name: member.name })}</h2>
      <p class="hint">{t('changeHint')}</p>
      <RoleBoxes t={t} roles={roles} setRoles={setRoles} legend={t('roles')} name="new-roles" />
      <LevelSelect t={t} value={clearance} setValue={setClearance} name="new-clearance" />
      <p>
        <button type="submit" disabled={change.busy}>
          {t('signStatement')}
        </button>{' '}
        <button type="button" onClick={onCancel}>
          {t('cancel')}
        </button>
      </p>
      <Problem error={change.error} t={t} />
    </form>
  );
}

function RevokeForm({ t, member, onCancel, onDone }: { t: T; member: MemberView; onCancel: () => void; onDone: (m: string) => Promise<void> }) {
  const [reason, setReason] = useState('');
  const revoke = useAction(async () => {
    await ask({ op: 'revoke', fingerprint: member.fingerprint, reason });
    await onDone(t('revokedDone', { name: member.name }));
  });
  return (
    <form
      aria-labelledby="revoke-title"
      onSubmit={(e) => {
        e.preventDefault();
        void revoke.run();
      }}
    >
      <h2 id="revoke-title">{t('revokeTitle', { name: member.name })}</h2>
      <p>
        <Fingerprint value={member.fingerprint} />
      </p>
      <label>
        {t('revokeReason')}
        <input name="revoke-reason" required minLength={3} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </label>
      <p>
        <button type="submit" disabled={revoke.busy}>
          {t('signRevocation')}
        </button>{' '}
        <button type="button" onClick={onCancel}>
          {t('cancel')}
        </button>
      </p>
      <Problem error={revoke.error} t={t} />
    </form>
  );
}

function EnrollForm({ t, onDone }: { t: T; onDone: (m: string) => Promise<void> }) {
  const [publicKey, setPublicKey] = useState('');
  const [roles, setRoles] = useState<string[]>(['contact']);
  const [clearance, setClearance] = useState('CONFIDENTIAL');
  const [validUntil, setValidUntil] = useState('');
  const enroll = useAction(async () => {
    // A date means the end of that day in this browser's time zone, as in the CLI.
    const until = validUntil ? new Date(`${validUntil}T23:59:59.999`).toISOString() : undefined;
    const m = await ask<{ name: string }>({ op: 'enroll', publicKey, roles, clearance, ...(until ? { validUntil: until } : {}) });
    setPublicKey('');
    await onDone(t('enrolled', { name: m.name }));
  });
  return (
    <form
      aria-labelledby="enroll-title"
      onSubmit={(e) => {
        e.preventDefault();
        void enroll.run();
      }}
    >
      <h2 id="enroll-title">{t('enrollTitle')}</h2>
      <label>
        {t('memberKeyFile')}
        <input
          type="file"
          name="public-key-file"
          accept=".asc,.pgp,.gpg,.txt,.key"
          onChange={(e) => {
            const f = e.currentTarget.files?.[0];
            if (f) void f.text().then(setPublicKey);
          }}
        />
      </label>
      <label>
        {t('memberPublicKey')}
        <textarea name="public-key" rows={6} required value={publicKey} onInput={(e) => setPublicKey(e.currentTarget.value)} />
      </label>
      <RoleBoxes t={t} roles={roles} setRoles={setRoles} legend={t('roles')} name="roles" />
      <LevelSelect t={t} value={clearance} setValue={setClearance} name="clearance" />
      <label>
        {t('validUntil')}
        <input name="valid-until" type="date" value={validUntil} onInput={(e) => setValidUntil(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={enroll.busy}>
        {t('enroll')}
      </button>
      <Problem error={enroll.error} t={t} />
    </form>
  );
}

function ContactDirectory({ t, party: own }: { t: T; party: string }) {
  const [party, setParty] = useState(own);
  const [shown, setShown] = useState(own);
  const [contacts, setContacts] = useState<ContactView[] | null>(null);
  const [form, setForm] = useState<ContactForm>({ agreementId: '', kind: 'contact-person', name: '', effectiveFrom: '' });
  const [result, setResult] = useState('');
  const load = useAction(async (p: string) => {
    setContacts(await ask<ContactView[]>({ op: 'contacts', party: p }));
    setShown(p.trim().toUpperCase());
  });
  const notify = useAction(async () => {
    const r = await ask<{ late: boolean }>({ op: 'recordContact', entry: { ...form, agreementId: form.agreementId.trim().toUpperCase(), effectiveFrom: new Date(`${form.effectiveFrom}T00:00:00`).toISOString() } });
    setResult(r.late ? t('contactNotifiedLate', { name: form.name }) : t('contactNotified', { name: form.name }));
    setForm({ ...form, name: '', position: '', phone: '', email: '', address: '' });
    await load.run(own);
  });
  useEffect(() => {
    void load.run(own);
  }, []);
  const field = (key: 'name' | 'position' | 'phone' | 'email' | 'address', label: string, required = false) => (
    <label>
      {label}
      <input name={`contact-${key}`} required={required} value={form[key] ?? ''} onInput={(e) => setForm({ ...form, [key]: e.currentTarget.value })} />
    </label>
  );
  return (
    <>
      <h2 id="contacts-title">{t('contactsTitle', { party: shown })}</h2>
      <p class="hint">{t('contactsHint')}</p>
      <form
        class="inline-form"
        aria-label={t('contactsOf')}
        onSubmit={(e) => {
          e.preventDefault();
          void load.run(party);
        }}
      >
        <label class="inline">
          {t('party')}
          <input name="contacts-party" required size={6} value={party} onInput={(e) => setParty(e.currentTarget.value)} />
        </label>
        <button type="submit">{t('showContacts')}</button>
      </form>
      <Problem error={load.error} t={t} />
      {contacts && contacts.length === 0 ? <p>{t('noContacts')}</p> : null}
      {contacts && contacts.length > 0 ? (
        <table aria-labelledby="contacts-title">
          <thead>
            <tr>
              <th scope="col">{t('agreement')}</th>
              <th scope="col">{t('kind')}</th>
              <th scope="col">{t('name')}</th>
              <th scope="col">{t('contactPosition')}</th>
              <th scope="col">{t('contactPhone')}</th>
              <th scope="col">{t('contactEmail')}</th>
              <th scope="col">{t('effectiveFrom')}</th>
              <th scope="col">{t('notifiedAt')}</th>
            </tr>
          </thead>
          <tbody>
            {contacts.map((c, i) => (
              <tr key={i}>
                <td>{c.agreementId}</td>
                <td>{c.kind === 'contact-person' ? t('contactPerson') : t('competentAuthority')}</td>
                <td>{c.withdrawn ? `${c.name} (${t('withdrawn')})` : c.name}</td>
                <td>{c.position ?? ''}</td>
                <td>{c.phone ?? ''}</td>
                <td>{c.email ?? ''}</td>
                <td>{new Date(c.effectiveFrom).toLocaleDateString()}</td>
                <td>
                  {new Date(c.recordedAt).toLocaleDateString()}
                  {c.late ? <span class="bad"> {t('late')}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form
        aria-labelledby="notify-title"
        onSubmit={(e) => {
          e.preventDefault();
          void notify.run();
        }}
      >
        <h3 id="notify-title">{t('notifyTitle')}</h3>
        <label>
          {t('agreement')}
          <input name="contact-agreement" required value={form.agreementId} onInput={(e) => setForm({ ...form, agreementId: e.currentTarget.value })} />
        </label>
        <label>
          {t('kind')}
          <select name="contact-kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.currentTarget.value as ContactForm['kind'] })}>
            <option value="contact-person">{t('contactPerson')}</option>
            <option value="competent-authority">{t('competentAuthority')}</option>
          </select>
        </label>
        {field('name', t('contactName'), true)}
        {field('position', t('contactPosition'))}
        {field('phone', t('contactPhone'))}
        {field('email', t('contactEmail'))}
        {field('address', t('contactAddress'))}
        <label>
          {t('effectiveFrom')}
          <input name="contact-effective" type="date" required value={form.effectiveFrom} onInput={(e) => setForm({ ...form, effectiveFrom: e.currentTarget.value })} />
        </label>
        <label class="inline">
          <input type="checkbox" name="contact-withdrawn" checked={Boolean(form.withdrawn)} onChange={(e) => setForm({ ...form, withdrawn: e.currentTarget.checked })} /> {t('withdrawnBox')}
        </label>
        <button type="submit" disabled={notify.busy}>
          {t('signContact')}
        </button>
        {result ? <p role="status">{result}</p> : null}
        <Problem error={notify.error} t={t} />
      </form>
    </>
  );
}

function RotateForm({ t, onStatus }: { t: T; onStatus: (s: Status) => void }) {
  const [pass, setPass] = useState('');
  const [pass2, setPass2] = useState('');
  const rotate = useAction(async () => {
    if (pass !== pass2) throw new Error(t('passphraseMismatch'));
    onStatus(await ask<Status>({ op: 'rotate', passphrase: pass }));
  });
  return (
    <form
      aria-labelledby="rotate-title"
      onSubmit={(e) => {
        e.preventDefault();
        void rotate.run();
      }}
    >
      <h2 id="rotate-title">{t('rotateTitle')}</h2>
      <p class="hint">{t('rotateHint')}</p>
      <label>
        {t('newPassphrase')}
        <input name="rotate-passphrase" type="password" required minLength={8} autocomplete="new-password" value={pass} onInput={(e) => setPass(e.currentTarget.value)} />
      </label>
      <label>
        {t('passphraseAgain')}
        <input name="rotate-passphrase2" type="password" required minLength={8} autocomplete="new-password" value={pass2} onInput={(e) => setPass2(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={rotate.busy}>
        {rotate.busy ? t('working') : t('rotate')}
      </button>
      <Problem error={rotate.error} t={t} />
    </form>
  );
}
