/**
 * Every stable code a typed error towards a person can carry, in one registry: the core's
 * ClientError and ApiError codes here, keys/'s and protocol/'s beside them, each with the names of
 * the parameters its sentence mentions. A shell words a refusal in another language from the
 * code and those parameters (client/web/src/error-catalogue.ts, tested against this registry);
 * the English sentence stays at the throw for the CLI. A code is never renamed: add a new one.
 */
import { KEY_ERROR_CODES, PART_ERROR_CODES } from '../../keys/error-codes.ts';
import { LANGUAGE_RULE_CODES, STATEMENT_ERROR_CODES, type CodeRegistry } from '../../protocol/error-codes.ts';

/** ClientError: the core's own refusals (and those of the web client's worker, which is a shell of this core). */
export const CLIENT_ERROR_CODES = {
  // the hub and logging in
  'hub.not-a-url': ['url'],
  'hub.key-mismatch': [],
  'hub.not-pinned-hub': ['actual', 'pinned'],
  'hub.not-pinned-hub-stored': ['actual', 'pinned', 'where'],
  'login.hub-not-pinned': ['actual', 'pinned'],
  'login.bad-challenge': ['reason'],
  // trust: pinned officers and the statements chaining to them
  'trust.unknown-parties': ['parties', 'from', 'known'],
  'trust.store-damaged': ['where'],
  'trust.no-officer-pinned': ['party'],
  'trust.unreadable-key': ['fingerprint', 'party'],
  'trust.key-mismatch': ['fingerprint', 'party'],
  'trust.wrong-party': ['fingerprint', 'listedParty', 'party'],
  'trust.no-statement': ['fingerprint', 'party'],
  'trust.unknown-voucher': ['fingerprint', 'party'],
  'trust.statement-invalid': ['fingerprint', 'party', 'reason'],
  'trust.statement-of-another': ['fingerprint', 'statedFingerprint', 'statedParty'],
  'trust.statement-dated': ['reason'],
  'trust.voucher-not-pinned': ['fingerprint', 'party', 'officer'],
  'trust.voucher-rotated': ['fingerprint', 'party', 'officer'],
  'trust.statement-stale': ['fingerprint', 'party'],
  'trust.not-yet-valid': ['fingerprint', 'party', 'validFrom'],
  'pins.unreadable': ['where'],
  'pins.invalid': ['where', 'issues'],
  // the audit log and evidence
  'audit.pages-of-different-logs': [],
  'audit.events-out-of-order': [],
  'audit.cursor-repeated': [],
  'audit.view-unbounded': [],
  'audit.checkpoint-other-hub': [],
  'audit.checkpoint-not-a-statement': ['reason'],
  'audit.checkpoint-invalid': ['reason'],
  'audit.checkpoint-dated': ['reason'],
  'audit.no-pinned-hub': [],
  'audit.file-key-mismatch': [],
  'audit.file-other-hub': ['fingerprint', 'pinned'],
  // opening a packet: manifest and parts
  'open.bad-hint': ['packet', 'reason'],
  'open.manifest-unknown-signer': ['packet', 'party'],
  'open.manifest-invalid': ['packet', 'reason'],
  'open.manifest-of-another': ['packet'],
  'open.manifest-dated': ['reason'],
  'open.manifest-signer-standing': ['packet', 'fingerprint', 'reason'],
  'open.part-altered': ['part', 'packet'],
  'open.part-bad-wrap': ['part', 'packet'],
  'open.part-signature-invalid': ['part', 'party', 'reason'],
  'open.part-signer-standing': ['part', 'fingerprint', 'reason'],
  'open.part-not-for-key': ['part', 'party', 'fingerprint', 'packet'],
  'open.part-cannot-decrypt': ['part', 'reason'],
  'open.part-integrity': ['part'],
  // authenticity confirmations
  'authenticity.other-request': ['answered', 'request'],
  'authenticity.other-packet': ['request', 'packet', 'stated'],
  'authenticity.not-our-party': ['request', 'party', 'own'],
  'authenticity.served-other-packet': ['served', 'packet'],
  'authenticity.not-sender': ['packet', 'party'],
  // requests, markings, clearances, dates
  'request.agreement-terminated': ['agreement', 'article'],
  'request.form-invalid': ['issues'],
  'request.form-missing': ['agreement', 'fields', 'article'],
  'marking.unknown': ['value', 'agreement', 'levels'],
  'clearance.unknown': ['value', 'party', 'reason'],
  'date.not-in-calendar': ['value'],
  'date.invalid': ['value'],
  // the officer's directory
  'contact.not-signed': ['party', 'reason'],
  'contact.wrong-party': ['listedParty', 'party'],
  'contact.dated': ['reason'],
  'officer.no-statement': ['fingerprint', 'party'],
  // re-wrapping for colleagues
  'rewrap.cannot-read': ['part', 'packet'],
  'rewrap.failed': ['part', 'packet', 'reason'],
  'rewrap.not-a-colleague': ['fingerprint', 'party'],
  // onward releases
  'release.other-release': ['answered', 'release'],
  'release.other-third-party': ['release', 'thirdParty', 'stated'],
  'release.other-purpose': ['release', 'purpose', 'stated'],
  'release.other-packet': ['release', 'packet', 'stated'],
  'release.already-decided': ['release', 'state'],
  'release.not-originator-officer': ['party', 'article'],
  'release.served-other-packet': ['served', 'packet'],
  'release.not-originator': ['packet', 'party'],
  'release.decision-invalid': ['issues'],
  'release.shown-unreadable': ['reason'],
  'release.shown-changed': ['release'],
  'release.shown-stale': [],
  // sending
  'send.no-cleared-receiver': ['party', 'level'],
  'send.cannot-encrypt-to': ['name', 'fingerprint', 'party', 'reason'],
  'send.request-form-required': ['agreement', 'article', 'how'],
  'send.sender-not-party': ['party', 'agreement', 'parties'],
  'send.no-receiver': ['agreement', 'parties'],
  'send.own-party': ['party', 'others'],
  'send.not-a-party': ['party', 'agreement', 'parties'],
  'send.clearance-too-low': ['clearance', 'level'],
  'send.no-such-level': ['agreement', 'level', 'article'],
  'send.no-equivalent-label': ['party', 'level', 'agreement', 'article'],
  'send.incomplete': ['reason', 'article', 'how'],
  'send.not-a-draft': ['packet'],
  'language.translation-mismatch': ['lang', 'file', 'detected', 'article'],
  /** `role`: the part's role (original, attachment, request-form...), a protocol value. */
  'language.part-mismatch': ['role', 'lang', 'file', 'detected', 'article'],
  'web.session-ended': [],
  /** `what`: the web client's own phrase for the operation (error-catalogue.ts WEB_PHRASES). */
  'web.no-room': ['what', 'needed', 'free'],
  'web.storage-full': [],
  'language.cannot-tell-unread': ['file', 'reason'],
  'language.cannot-tell': ['file'],
  // the web client's worker
  'web.key-locked': [],
  'web.not-logged-in': [],
  'web.file-empty': ['file'],
  'web.hub-not-pinned': ['actual', 'pinned'],
  'web.hub-key-mismatch': [],
  'web.new-passphrase-too-short': [],
  'web.key-failed': ['reason'],
  'web.not-a-state': ['state'],
  'web.change-carries-no-document': ['state'],
  'web.change-needs-reasons': ['state'],
  'web.change-needs-notice': ['state'],
  'web.key-unprotected': [],
  'web.no-key': [],
  'web.idle-minutes': [],
  'web.not-a-fingerprint': [],
  'web.not-a-party': ['party'],
  'web.not-a-date-time': ['value'],
} as const satisfies CodeRegistry;

/** MissingFontError (stamping, client/core/stamp/fonts.ts): `script` is latin, arabic or cjk. */
export const STAMP_ERROR_CODES = {
  'stamp.missing-font': ['script'],
} as const satisfies CodeRegistry;

/** ApiError: the hub's answers, and what the client says when there is no usable answer. */
export const API_ERROR_CODES = {
  /** A problem+json answer: its stable `problem` code (server/errors.ts), the hub's `detail` and the `article` that refused ('' when none). */
  'api.problem': ['problem', 'detail', 'article'],
  'api.answer-not-problem': ['status'],
  'api.unreachable.refused': ['hub'],
  'api.unreachable.unknown-host': ['hub'],
  'api.unreachable.timeout': ['hub'],
  'api.unreachable.reset': ['hub'],
  'api.unreachable.tls': ['hub'],
  'api.unreachable.bad-port': ['hub'],
  'api.unreachable.network': ['hub'],
  'api.cursor-repeated': ['what'],
  'api.pages-unbounded': ['what', 'pages'],
  'api.session-ended': ['hub'],
  'api.key-inactive': ['detail'],
  'api.not-json': ['method', 'path'],
  'api.not-protocol': ['method', 'path'],
  'api.invalid-wrap-length': [],
  'api.upload-failed': [],
} as const satisfies CodeRegistry;

/** The one registry: every code a typed error (or a reason it quotes) can carry, with its parameters. */
export const ERROR_CODES = {
  ...CLIENT_ERROR_CODES,
  ...API_ERROR_CODES,
  ...STAMP_ERROR_CODES,
  ...KEY_ERROR_CODES,
  ...PART_ERROR_CODES,
  ...STATEMENT_ERROR_CODES,
  ...LANGUAGE_RULE_CODES,
} as const satisfies CodeRegistry;

export type ErrorCode = keyof typeof ERROR_CODES;
