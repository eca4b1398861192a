/**
 * The shared workflow rules in protocol/requests.ts: which state changes exist, which need a
 * written packet, how a deadline is computed and classified, and what a request form must state.
 */
import { describe, expect, it } from 'vitest';
import { AGREEMENTS_DIR } from '../helpers/world.ts';
import { REQUEST_FORM_FORMAT, RequestState, STATE_PACKET, StateChangeBody, TRANSITIONS, addDeadline, canTransition, dueStatus, missingRequestFields } from '../../protocol/requests.ts';
import { agreementIn } from './support.ts';

describe('request states', () => {
  it('ends at execution; a refusal reopens only in part (checked by the hub)', () => {
    expect(TRANSITIONS.executed).toEqual([]);
    expect(canTransition('received', 'acknowledged')).toBe(true);
    expect(canTransition('executed', 'refused')).toBe(false);
    expect(canTransition('acknowledged', 'received')).toBe(false);
    for (const state of RequestState.options) for (const next of TRANSITIONS[state]) expect(RequestState.options).toContain(next);
  });

  it('needs writing for refusal, deferral, additional information and transfer', () => {
    expect(STATE_PACKET.refused).toEqual({ kinds: ['refusal'], required: true });
    expect(STATE_PACKET.deferred?.required).toBe(true);
    expect(STATE_PACKET['waiting-for-information']?.kinds).toEqual(['additional-information-request']);
    expect(STATE_PACKET.transferred?.kinds).toEqual(['transfer-notice']);
    expect(STATE_PACKET.executed?.required).toBe(false);
    expect(STATE_PACKET.acknowledged).toBeUndefined();
  });

  it('takes no free text on the hub: reasons go in packets', () => {
    expect(StateChangeBody.safeParse({ state: 'refused', reasons: 'secret' }).success).toBe(false);
    expect(StateChangeBody.safeParse({ state: 'received' }).success).toBe(false);
  });
});

describe('deadlines', () => {
  const start = '2026-03-01T00:00:00.000Z';
  it('adds days or hours from the agreement', () => {
    expect(addDeadline(start, { days: 30 })).toBe('2026-03-31T00:00:00.000Z');
    expect(addDeadline(start, { hours: 72 })).toBe('2026-03-04T00:00:00.000Z');
    expect(addDeadline(start, undefined)).toBeUndefined();
  });

  it('is due, due soon in the last quarter (at least the last day), then overdue', () => {
    const due = addDeadline(start, { days: 30 });
    expect(dueStatus(new Date('2026-03-20T00:00:00Z'), start, due)).toBe('due');
    expect(dueStatus(new Date('2026-03-24T00:00:00Z'), start, due)).toBe('due-soon');
    expect(dueStatus(new Date('2026-03-31T00:00:01Z'), start, due)).toBe('overdue');
    expect(dueStatus(new Date('2026-03-31T00:00:01Z'), start, undefined)).toBe('no-deadline');
    const oral = addDeadline(start, { hours: 72 });
    expect(dueStatus(new Date('2026-03-02T23:00:00Z'), start, oral)).toBe('due');
    expect(dueStatus(new Date('2026-03-03T01:00:00Z'), start, oral)).toBe('due-soon');
  });
});

describe('the request form (SCO Art. 5(4))', () => {
  it('names what the agreement requires and the form leaves out', () => {
    const sco = agreementIn(AGREEMENTS_DIR, 'SCO');
    const fields = sco.workflow!.requestContents!.fields;
    const form = { format: REQUEST_FORM_FORMAT, agreementId: 'SCO', purpose: 'Розыск', facts: '  ' } as const;
    expect(missingRequestFields(form, fields)).toEqual(['requestingAuthority', 'requestedAuthority', 'justification', 'assistanceRequested', 'facts', 'confidentiality']);
  });
});
