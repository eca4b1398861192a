/**
 * Inbox, sent and drafts: every row starts with its marking banner; unread packets are marked.
 * The list is what the worker read page by page from the hub; nothing is decrypted here.
 */
import { useEffect, useState } from 'preact/hooks';
import type { PacketSummary } from '../../../../protocol/api.ts';
import type { Status } from '../messages.ts';
import { ask } from '../rpc.ts';
import { packetStateLabel } from '../labels.ts';
import { MarkingBanner, Problem, useAction, type T } from './ui.tsx';

export function Box({ t, box, status }: { t: T; box: 'inbox' | 'sent' | 'drafts'; status: Status }) {
  const [items, setItems] = useState<Array<PacketSummary & { unread?: boolean }> | null>(null);
  const load = useAction(async () => setItems(await ask<Array<PacketSummary & { unread?: boolean }>>({ op: 'list', box })));
  useEffect(() => {
    setItems(null);
    void load.run();
  }, [box]);
  const me = status.me!;
  return (
    <section aria-labelledby="box-title">
      <h1 id="box-title">{t(box)}</h1>
      <button type="button" onClick={() => void load.run()}>
        {t('refresh')}
      </button>
      <Problem error={load.error} t={t} />
      {items && items.length === 0 ? <p>{t('noPackets')}</p> : null}
      {items && items.length > 0 ? (
        <table class="packets">
          <thead>
            <tr>
              <th scope="col">{t('marking')}</th>
              <th scope="col">{t('agreement')}</th>
              <th scope="col">{t('sender')}</th>
              <th scope="col">{t('recipients')}</th>
              <th scope="col">{t('kind')}</th>
              <th scope="col">{t('state')}</th>
              <th scope="col">{t('date')}</th>
              <th scope="col">{t('open')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((p) => (
              <tr key={p.packetId} class={p.unread ? 'unread' : ''}>
                <td>
                  <MarkingBanner level={p.level} labels={p.labels} reader={me.party} originator={p.senderParty} t={t} />
                </td>
                <td>{p.agreementId}</td>
                <td>{p.senderParty}</td>
                <td>{p.recipients.join(', ')}</td>
                <td>{p.kind}</td>
                <td>{packetStateLabel(t, p.state)}</td>
                <td>{new Date(p.submittedAt ?? p.createdAt).toLocaleString()}</td>
                <td>
                  <a href={`#/packet/${p.packetId}`}>
                    {t('open')}
                    {p.unread ? <span class="badge"> {t('unread')}</span> : null}
                    <span class="visually-hidden"> {p.packetId}</span>
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
