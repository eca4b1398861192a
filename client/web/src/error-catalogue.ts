/**
 * The web client's words for refusals: one entry per stable code of the core's registry
 * (client/core/error-codes.ts) and per problem code of the hub (server/errors.ts), in English and
 * Russian, with exactly the parameters the registry names (a test walks the registry). A hub
 * answer is framed by a sentence of ours naming its kind, with the hub's own detail quoted; an
 * error without a known code is framed the same way, never shown as a bare foreign sentence.
 * Words only: which error is raised, and when, is the core's business.
 */
import type { ErrorParam, ErrorWording } from '../../../protocol/error-codes.ts';
import type { ErrorCode } from '../../core/error-codes.ts';
import { PROBLEM_CODES } from '../../../protocol/error-codes.ts';

type Locale = 'en' | 'ru';
type ErrorCatalogue = Record<ErrorCode, string>;

/** The hub's problem codes (protocol/error-codes.ts) and its `internal` fault. */
export const HUB_PROBLEM_CODES = [...PROBLEM_CODES, 'internal'] as const;
type HubProblemCode = (typeof HUB_PROBLEM_CODES)[number];

/**
 * The web client's own phrases that travel inside a refusal as a parameter (the "how to" the core
 * is given, the operation that needs room), in both languages: the worker passes the English,
 * the page words it in its language.
 */
export const WEB_PHRASES = {
  complete: { en: 'add the translation or save the packet as a draft for a clerk to complete', ru: 'добавьте перевод или сохраните пакет как черновик, чтобы его дополнил делопроизводитель' },
  sendRequest: { en: 'choose the kind "request" and fill in its form', ru: 'выберите вид «запрос» и заполните его форму' },
  encryptPacket: { en: 'encrypting this packet', ru: 'шифрование этого пакета' },
  encryptTranslation: { en: 'encrypting this translation', ru: 'шифрование этого перевода' },
  openPacket: { en: 'opening this packet', ru: 'открытие этого пакета' },
} as const;

const en: ErrorCatalogue = {
  'hub.not-a-url': '"{url}" is not a URL: give the hub\'s address, for example http://127.0.0.1:8443',
  'hub.key-mismatch': 'the hub publishes a key that is not the one it names',
  'hub.not-pinned-hub': 'the hub\'s key is {actual}, but {pinned} is pinned: refusing to trust it',
  'hub.not-pinned-hub-stored': 'the hub\'s key is {actual}, but {pinned} is pinned in {where}',
  'login.hub-not-pinned': 'the hub\'s key is {actual}, but {pinned} is pinned: refusing to log in',
  'login.bad-challenge': '{reason}',
  'trust.unknown-parties': '{parties}: not a party of any agreement {from} ({known}); nothing was pinned',
  'trust.store-damaged': '{where} is damaged; restore it or pin the officers again',
  'trust.no-officer-pinned': 'no officer of {party} is pinned: pin one under Trusted officers, with the fingerprint {party} notified to you in writing',
  'trust.unreadable-key': 'the hub lists an unreadable key {fingerprint} for {party}; refusing to trust it',
  'trust.key-mismatch': 'the hub lists key {fingerprint} for {party} with a different key attached; refusing to trust it',
  'trust.wrong-party': 'the hub lists key {fingerprint} of {listedParty} as a member of {party}; refusing to trust it',
  'trust.no-statement': 'key {fingerprint} listed for {party} has no membership statement and is not a pinned officer; refusing to trust it',
  'trust.unknown-voucher': 'key {fingerprint} of {party} is vouched for by a key that is not a pinned officer of {party}; refusing to trust it',
  'trust.statement-invalid': 'the membership statement of {fingerprint} ({party}) does not verify: {reason}',
  'trust.statement-of-another': 'the statement the hub gave for {fingerprint} is about {statedFingerprint} of {statedParty}; refusing to trust it',
  'trust.statement-dated': '{reason}; refusing to trust it',
  'trust.voucher-not-pinned': 'key {fingerprint} of {party} is vouched for by {officer}, who is not a pinned officer of {party}; refusing to trust it',
  'trust.voucher-rotated': 'key {fingerprint} of {party} was vouched for by {officer} after that officer\'s key was rotated away',
  'trust.statement-stale': 'the hub gave a stale membership statement for {fingerprint} ({party}): a newer one was seen before; refusing to trust it',
  'trust.not-yet-valid': 'the membership of {fingerprint} ({party}) is not valid before {validFrom}',
  'pins.unreadable': 'cannot read {where} as a pins file (liaison trust export writes one)',
  'pins.invalid': '{where} is not a pins file: {issues}',
  'audit.pages-of-different-logs': 'the hub proved the pages of its audit log against different logs: refused',
  'audit.events-out-of-order': 'the hub sent audit events out of order or repeated across pages: refused',
  'audit.cursor-repeated': 'the hub handed back the same audit cursor twice',
  'audit.view-unbounded': 'the hub’s audit view did not end',
  'audit.checkpoint-other-hub': 'the checkpoint names another hub',
  'audit.checkpoint-not-a-statement': 'the checkpoint is not a canonical liaison-audit-checkpoint/1 statement: {reason}',
  'audit.checkpoint-invalid': 'the checkpoint signature does not verify: {reason}',
  'audit.checkpoint-dated': '{reason}',
  'audit.no-pinned-hub': 'no pinned hub fingerprint: give --hub-fingerprint, or keep a checkpoint first (liaison audit checkpoint --save)',
  'audit.file-key-mismatch': 'the hub key in the file is not the one it claims to be',
  'audit.file-other-hub': 'the file is signed by hub {fingerprint}, not by the pinned hub {pinned}',
  'open.bad-hint': 'packet {packet}: {reason}',
  'open.manifest-unknown-signer': 'the manifest of {packet} is signed by a key that is not a vouched-for member of {party}',
  'open.manifest-invalid': 'the manifest signature of {packet} does not verify: {reason}',
  'open.manifest-of-another': 'the hub served the manifest of another packet for {packet}',
  'open.manifest-dated': '{reason}',
  'open.manifest-signer-standing': 'the manifest of {packet} is signed by {fingerprint}, but {reason}',
  'open.part-altered': 'part {part} of {packet} does not match the signed manifest: it was altered; nothing was decrypted',
  'open.part-bad-wrap': 'part {part} of {packet} came with an invalid key wrap',
  'open.part-signature-invalid': 'part {part} is not validly signed by a member of {party}: {reason}',
  'open.part-signer-standing': 'part {part} is signed by {fingerprint}, but {reason}',
  'open.part-not-for-key': 'your key cannot open part {part}: the packet was sent before your key could read it; a colleague of {party} who can read it must re-wrap it for your key (Colleagues in the web client, or: liaison rewrap --for {fingerprint} {packet})',
  'open.part-cannot-decrypt': 'cannot decrypt part {part}: {reason}',
  'open.part-integrity': 'part {part} failed its integrity check while decrypting: it was altered or damaged; nothing of it was kept',
  'authenticity.other-request': 'the hub answered with request {answered} when asked for {request}; nothing was signed',
  'authenticity.other-packet': 'request {request} on the hub is about packet {packet}, not {stated} as you stated; nothing was signed',
  'authenticity.not-our-party': 'request {request} asks {party} to confirm, not your party {own}; nothing was signed',
  'authenticity.served-other-packet': 'the hub served packet {served} for {packet}; nothing was signed',
  'authenticity.not-sender': 'packet {packet} was sent by {party}, not by your party; only its sender can confirm it; nothing was signed',
  'request.agreement-terminated': '{agreement} is terminated and accepts no new requests ({article})',
  'request.form-invalid': 'the request form is not complete: {issues}',
  'request.form-missing': 'a request under {agreement} must state {fields} ({article})',
  'marking.unknown': '"{value}" is not a marking of {agreement}: use one of {levels} or a national label',
  'clearance.unknown': '"{value}" is not a clearance of {party}: {reason}',
  'date.not-in-calendar': '"{value}" is not a date of the calendar',
  'date.invalid': '"{value}" is not a date: write 2026-12-31 (the end of that day) or 2026-12-31T18:00+05:00',
  'contact.not-signed': 'a contact entry of {party} is not signed by a vouched-for officer of {party} ({reason}); refusing to show it as genuine',
  'contact.wrong-party': 'the hub lists a contact entry of {listedParty} among those of {party}; refusing to show it as genuine',
  'contact.dated': '{reason}; refusing to show it as genuine',
  'officer.no-statement': '{fingerprint} is not a member of {party} with a membership statement',
  'rewrap.cannot-read': 'your key cannot read part {part} of {packet} either, so it cannot open it to others: a colleague whose key can must do it',
  'rewrap.failed': 'cannot re-wrap part {part} of {packet}: {reason}',
  'rewrap.not-a-colleague': '{fingerprint} is not an active, vouched-for member of {party}',
  'release.other-release': 'the hub answered with release {answered} when asked for {release}; nothing was signed',
  'release.other-third-party': 'release {release} on the hub is for {thirdParty}, not {stated} as you stated; nothing was signed',
  'release.other-purpose': 'release {release} on the hub is for the purpose "{purpose}", not "{stated}" as you stated; nothing was signed',
  'release.other-packet': 'release {release} on the hub is about packet {packet}, not {stated} as you stated; nothing was signed',
  'release.already-decided': 'release {release} is already {state}; nothing was signed',
  'release.not-originator-officer': 'only a security officer of the originating party ({party}) can consent to or refuse this release ({article}); nothing was signed',
  'release.served-other-packet': 'the hub served packet {served} for {packet}; nothing was signed',
  'release.not-originator': 'packet {packet} was sent by {party}, not by your party; only its originator decides; nothing was signed',
  'release.decision-invalid': '{issues}',
  'release.shown-unreadable': '{reason}',
  'release.shown-changed': 'the decision shown is not the one release {release} now calls for; nothing was signed',
  'release.shown-stale': 'the decision shown is out of date: review it again before signing',
  'send.no-cleared-receiver': '{party} has no member cleared for {level} who can receive packets',
  'send.cannot-encrypt-to': 'cannot encrypt to {name} ({fingerprint}, {party}): {reason}',
  'send.request-form-required': 'a request under {agreement} carries the request form ({article}): {how}',
  'send.sender-not-party': 'your party {party} is not a party of {agreement}, whose parties are {parties}',
  'send.no-receiver': 'say who receives it: the parties of {agreement} are {parties}',
  'send.own-party': '{party} is your own party: choose the receiving party ({others})',
  'send.not-a-party': '{party} is not a party of {agreement}: its parties are {parties}; a third party receives material only through a consented release',
  'send.clearance-too-low': 'your own clearance ({clearance}) does not cover {level}: you cannot send at that marking; ask your security officer, or choose a lower marking',
  'send.no-such-level': '{agreement} has no {level} level ({article})',
  'send.no-equivalent-label': '{party} has no equivalent of {level} under {agreement} ({article})',
  'send.incomplete': 'the packet is incomplete: {reason} ({article}); {how}',
  'send.not-a-draft': 'packet {packet} is already submitted; translations are attached to drafts',
  'language.translation-mismatch': 'the {lang} translation {file} is not in {lang}: the text reads as {detected} ({article})',
  'language.part-mismatch': 'the {role} {file} is not in {lang}: the text reads as {detected} ({article})',
  'language.cannot-tell-unread': 'cannot tell the language of {file} ({reason}); give its language',
  'language.cannot-tell': 'cannot tell the language of {file}; give its language',
  'web.key-locked': 'the key is locked: unlock it with your passphrase',
  'web.not-logged-in': 'not logged in',
  'web.file-empty': '{file} is empty',
  'web.hub-not-pinned': 'the hub\'s key is {actual}, but {pinned} was pinned on first use in this browser',
  'web.hub-key-mismatch': 'the hub published a key that does not match its fingerprint',
  'web.new-passphrase-too-short': 'the passphrase of the new key has at least 8 characters',
  'web.key-failed': '{reason}',
  'web.not-a-state': '"{state}" is not a state a request can move to',
  'web.change-carries-no-document': 'a change to {state} carries no document',
  'web.change-needs-reasons': 'a change to {state} goes with the written reasons the agreement requires: write them first',
  'web.change-needs-notice': 'a change to {state} goes with the written notice the agreement requires: write it first',
  'web.key-unprotected': 'this secret key has no passphrase: protect it first (gpg --edit-key KEY passwd)',
  'web.no-key': 'there is no key in this browser yet',
  'web.idle-minutes': 'the idle lock is between 1 and 240 minutes',
  'web.not-a-fingerprint': 'a fingerprint is 40 hexadecimal characters',
  'web.not-a-party': '"{party}" is not a party id',
  'web.not-a-date-time': '"{value}" is not a date and time',
  'web.session-ended': 'your session on this hub has ended (expired or logged out): log in again',
  'web.no-room': '{what} needs {needed} of this browser\'s storage for this site, but only {free} is free: free disk space or site data, then try again',
  'web.storage-full': 'this browser\'s storage for this site ran full while writing: free disk space or site data, then try again',
  'api.problem': '{problem}: {detail} ({article})',
  'api.answer-not-problem': 'the hub answered {status}',
  'api.unreachable.refused': 'cannot reach the hub at {hub}: nothing answers there: is the hub running, and is the URL right?',
  'api.unreachable.unknown-host': 'cannot reach the hub at {hub}: that host name is not known',
  'api.unreachable.timeout': 'cannot reach the hub at {hub}: the connection timed out',
  'api.unreachable.reset': 'cannot reach the hub at {hub}: the connection was cut',
  'api.unreachable.tls': 'cannot reach the hub at {hub}: the hub\'s TLS certificate is not trusted',
  'api.unreachable.bad-port': 'cannot reach the hub at {hub}: that port is one HTTP clients refuse to use: give the port the hub listens on',
  'api.unreachable.network': 'cannot reach the hub at {hub}: the network failed',
  'api.cursor-repeated': 'the hub\'s {what} handed back the same cursor twice',
  'api.pages-unbounded': 'the hub\'s {what} did not end after {pages} pages',
  'api.session-ended': 'your session on {hub} has ended (expired or logged out): log in again',
  'api.key-inactive': '{detail}; ask your security officer',
  'api.not-json': 'the hub\'s answer to {method} {path} is not JSON',
  'api.not-protocol': 'the hub\'s answer to {method} {path} is not what the protocol says',
  'api.invalid-wrap-length': 'the hub sent an invalid wrap length',
  'api.upload-failed': 'the upload to the hub failed',
  'key.passphrase-too-short': 'the passphrase must be at least 8 characters',
  'key.not-a-public-key': 'this is not an OpenPGP public key',
  'key.not-a-private-key': 'this is not an OpenPGP private key',
  'key.wrong-passphrase': 'the passphrase does not unlock this key',
  'key.passphrase-protected': 'the key is passphrase-protected',
  'key.not-v4': 'only v4 keys are accepted (GnuPG 2.2 profile); this is v{version}',
  'key.cannot-sign-and-encrypt': 'key {fingerprint} cannot both sign and encrypt at {date} (expired, revoked, or missing a subkey)',
  'part.unreadable': 'the part could not be read',
  'part.empty': 'the part is empty',
  'part.no-encrypted-data': 'the part has no integrity-protected encrypted data',
  'part.cut-short': 'the encrypted data is cut short',
  'part.malformed': '{reason} (at byte {offset})',
  'part.not-openpgp-message': 'the part is not an OpenPGP message',
  'part.not-a-recipient': 'the part is not encrypted to this key',
  'part.file-name-not-unicode': 'the file name is not valid Unicode text',
  'part.no-recipient': 'a part needs at least one recipient',
  'part.no-wrap-recipient': 'no recipients to wrap for',
  'part.cannot-decrypt': 'this key cannot decrypt the part',
  'part.cannot-open-to-rewrap': 'this key cannot open the part to re-wrap it',
  'part.no-session-key': 'no session key found',
  'part.wrap-not-openpgp': 'the wrap is not OpenPGP data',
  'part.wrap-foreign-packets': 'a wrap may hold only public-key encrypted session key packets',
  'statement.invalid': 'the {what} is invalid: {issues}',
  'statement.not-canonical': '{reason}',
  'stamp.missing-font': 'no font for the {script} script is installed',
  'languages.translation-required': 'a translation into {languages} is required',
  'languages.one-of': 'the packet must be in one of {languages}',
  'languages.original-official': 'the original must be in an official language of {party} ({languages})',
  'notice.language-confirmed': '{file}: language {detected} confirmed',
  'notice.language-mismatch': '{file}: declared {declared} but the text is {detected}',
  'notice.language-undetermined': '{file}: language undetermined ({reason}); declared {declared} accepted unchecked',
  'notice.language-not-checked': '{file}: language not checked ({reason})',
  'notice.warning': 'warning: {notice}',
  'notice.kept-as-draft': 'kept as a draft: {reason} ({article})',
  'notice.receipt-sent': 'retrieval receipt signed and sent to the hub',
  'notice.receipt-failed': 'warning: the retrieval receipt could not be recorded: {reason}',
  'web.notice.confirms-oral': 'it confirms oral request {id} in writing',
  'web.notice.form-unreadable': 'warning: the request form {file} could not be read as a {agreement} request form',
  'web.notice.form-incomplete': 'warning: the request form leaves out {fields} ({article})',
};

const ru: ErrorCatalogue = {
  'hub.not-a-url': '«{url}» не является адресом: укажите адрес хаба, например http://127.0.0.1:8443',
  'hub.key-mismatch': 'хаб публикует ключ, не совпадающий с названным им отпечатком',
  'hub.not-pinned-hub': 'ключ хаба — {actual}, а закреплён {pinned}: хабу отказано в доверии',
  'hub.not-pinned-hub-stored': 'ключ хаба — {actual}, а в {where} закреплён {pinned}',
  'login.hub-not-pinned': 'ключ хаба — {actual}, а закреплён {pinned}: вход не выполнен',
  'login.bad-challenge': 'запрос хаба на вход не принят: {reason}',
  'trust.unknown-parties': '{parties}: не является стороной ни одного соглашения {from} ({known}); ничего не закреплено',
  'trust.store-damaged': 'хранилище {where} повреждено; восстановите его или закрепите офицеров заново',
  'trust.no-officer-pinned': 'не закреплён ни один офицер стороны {party}: закрепите его в разделе «Доверенные офицеры» по отпечатку, письменно сообщённому вам стороной {party}',
  'trust.unreadable-key': 'хаб указывает для стороны {party} нечитаемый ключ {fingerprint}; в доверии отказано',
  'trust.key-mismatch': 'хаб указывает для стороны {party} ключ {fingerprint}, но прилагает другой ключ; в доверии отказано',
  'trust.wrong-party': 'хаб указывает ключ {fingerprint} стороны {listedParty} как ключ члена стороны {party}; в доверии отказано',
  'trust.no-statement': 'ключ {fingerprint}, указанный для стороны {party}, не имеет заявления о членстве и не является ключом закреплённого офицера; в доверии отказано',
  'trust.unknown-voucher': 'ключ {fingerprint} стороны {party} удостоверен ключом, не принадлежащим закреплённому офицеру стороны {party}; в доверии отказано',
  'trust.statement-invalid': 'заявление о членстве {fingerprint} (сторона {party}) не проходит проверку: {reason}',
  'trust.statement-of-another': 'заявление, выданное хабом для {fingerprint}, относится к {statedFingerprint} стороны {statedParty}; в доверии отказано',
  'trust.statement-dated': 'дата заявления о членстве недостоверна: {reason}; в доверии отказано',
  'trust.voucher-not-pinned': 'ключ {fingerprint} стороны {party} удостоверен ключом {officer}, не принадлежащим закреплённому офицеру стороны {party}; в доверии отказано',
  'trust.voucher-rotated': 'ключ {fingerprint} стороны {party} удостоверен ключом офицера {officer} уже после того, как этот ключ был заменён',
  'trust.statement-stale': 'хаб выдал устаревшее заявление о членстве {fingerprint} (сторона {party}): ранее уже было получено более новое; в доверии отказано',
  'trust.not-yet-valid': 'членство {fingerprint} (сторона {party}) действует лишь с {validFrom}',
  'pins.unreadable': 'не удаётся прочитать {where} как файл закреплений (его создаёт liaison trust export)',
  'pins.invalid': '{where} не является файлом закреплений: {issues}',
  'audit.pages-of-different-logs': 'хаб подтвердил страницы журнала аудита по разным журналам: отклонено',
  'audit.events-out-of-order': 'хаб передал события журнала аудита не по порядку или с повторами между страницами: отклонено',
  'audit.cursor-repeated': 'хаб дважды вернул один и тот же курсор журнала аудита',
  'audit.view-unbounded': 'выдача журнала аудита хабом не завершилась',
  'audit.checkpoint-other-hub': 'контрольная точка относится к другому хабу',
  'audit.checkpoint-not-a-statement': 'контрольная точка не является каноническим заявлением liaison-audit-checkpoint/1: {reason}',
  'audit.checkpoint-invalid': 'подпись контрольной точки не проходит проверку: {reason}',
  'audit.checkpoint-dated': 'дата контрольной точки недостоверна: {reason}',
  'audit.no-pinned-hub': 'отпечаток хаба не закреплён: укажите --hub-fingerprint или сначала сохраните контрольную точку (liaison audit checkpoint --save)',
  'audit.file-key-mismatch': 'ключ хаба в файле не совпадает с заявленным',
  'audit.file-other-hub': 'файл подписан хабом {fingerprint}, а не закреплённым хабом {pinned}',
  'open.bad-hint': 'пакет {packet}: {reason}',
  'open.manifest-unknown-signer': 'манифест пакета {packet} подписан ключом, не принадлежащим удостоверенному члену стороны {party}',
  'open.manifest-invalid': 'подпись манифеста пакета {packet} не проходит проверку: {reason}',
  'open.manifest-of-another': 'хаб выдал для пакета {packet} манифест другого пакета',
  'open.manifest-dated': 'дата манифеста недостоверна: {reason}',
  'open.manifest-signer-standing': 'манифест пакета {packet} подписан ключом {fingerprint}, однако подпись недействительна: {reason}',
  'open.part-altered': 'часть {part} пакета {packet} не совпадает с подписанным манифестом: она изменена; ничего не расшифровано',
  'open.part-bad-wrap': 'часть {part} пакета {packet} получена с недействительной обёрткой ключа',
  'open.part-signature-invalid': 'часть {part} не имеет действительной подписи члена стороны {party}: {reason}',
  'open.part-signer-standing': 'часть {part} подписана ключом {fingerprint}, однако подпись недействительна: {reason}',
  'open.part-not-for-key': 'ваш ключ не может открыть часть {part}: пакет отправлен до того, как ваш ключ получил к нему доступ; коллега из стороны {party}, которому пакет доступен, должен перешифровать его для вашего ключа (раздел «Коллеги» веб-клиента или liaison rewrap --for {fingerprint} {packet})',
  'open.part-cannot-decrypt': 'не удаётся расшифровать часть {part}: {reason}',
  'open.part-integrity': 'часть {part} не прошла проверку целостности при расшифровке: она изменена или повреждена; ничего из неё не сохранено',
  'authenticity.other-request': 'на запрос {request} хаб ответил запросом {answered}; ничего не подписано',
  'authenticity.other-packet': 'запрос {request} на хабе относится к пакету {packet}, а не к указанному вами {stated}; ничего не подписано',
  'authenticity.not-our-party': 'запрос {request} адресован стороне {party}, а не вашей стороне {own}; ничего не подписано',
  'authenticity.served-other-packet': 'хаб выдал пакет {served} вместо {packet}; ничего не подписано',
  'authenticity.not-sender': 'пакет {packet} отправлен стороной {party}, а не вашей стороной; подтвердить его может только отправитель; ничего не подписано',
  'request.agreement-terminated': 'действие соглашения {agreement} прекращено, новые запросы не принимаются ({article})',
  'request.form-invalid': 'форма запроса заполнена не полностью: {issues}',
  'request.form-missing': 'запрос по соглашению {agreement} должен содержать: {fields} ({article})',
  'marking.unknown': '«{value}» не является грифом по соглашению {agreement}: укажите один из {levels} или национальный гриф',
  'clearance.unknown': '«{value}» не является допуском стороны {party}: {reason}',
  'date.not-in-calendar': '«{value}» — несуществующая календарная дата',
  'date.invalid': '«{value}» не является датой: укажите 2026-12-31 (конец этого дня) или 2026-12-31T18:00+05:00',
  'contact.not-signed': 'запись о контакте стороны {party} не подписана удостоверенным офицером стороны {party} ({reason}); она не признаётся подлинной',
  'contact.wrong-party': 'хаб указывает запись о контакте стороны {listedParty} среди записей стороны {party}; она не признаётся подлинной',
  'contact.dated': 'дата записи о контакте недостоверна: {reason}; она не признаётся подлинной',
  'officer.no-statement': '{fingerprint} не является членом стороны {party}, имеющим заявление о членстве',
  'rewrap.cannot-read': 'ваш ключ также не может прочитать часть {part} пакета {packet} и потому не может открыть её другим: это должен сделать коллега, чей ключ имеет доступ',
  'rewrap.failed': 'не удаётся перешифровать часть {part} пакета {packet}: {reason}',
  'rewrap.not-a-colleague': '{fingerprint} не является действующим удостоверенным членом стороны {party}',
  'release.other-release': 'на запрос передачи {release} хаб ответил передачей {answered}; ничего не подписано',
  'release.other-third-party': 'передача {release} на хабе предназначена стороне {thirdParty}, а не указанной вами {stated}; ничего не подписано',
  'release.other-purpose': 'передача {release} на хабе запрошена для цели «{purpose}», а не указанной вами «{stated}»; ничего не подписано',
  'release.other-packet': 'передача {release} на хабе относится к пакету {packet}, а не к указанному вами {stated}; ничего не подписано',
  'release.already-decided': 'по передаче {release} уже принято решение: {state}; ничего не подписано',
  'release.not-originator-officer': 'дать согласие на эту передачу или отказать в ней может только офицер безопасности стороны-источника ({party}) ({article}); ничего не подписано',
  'release.served-other-packet': 'хаб выдал пакет {served} вместо {packet}; ничего не подписано',
  'release.not-originator': 'пакет {packet} отправлен стороной {party}, а не вашей стороной; решение принимает только сторона-источник; ничего не подписано',
  'release.decision-invalid': 'решение составлено неверно: {issues}',
  'release.shown-unreadable': 'показанное решение не читается: {reason}',
  'release.shown-changed': 'показанное решение не соответствует тому, которого теперь требует передача {release}; ничего не подписано',
  'release.shown-stale': 'показанное решение устарело: ознакомьтесь с ним снова перед подписанием',
  'send.no-cleared-receiver': 'у стороны {party} нет члена с допуском {level}, который может получать пакеты',
  'send.cannot-encrypt-to': 'не удаётся зашифровать для {name} ({fingerprint}, сторона {party}): {reason}',
  'send.request-form-required': 'запрос по соглашению {agreement} сопровождается формой запроса ({article}): {how}',
  'send.sender-not-party': 'ваша сторона {party} не является стороной соглашения {agreement}; его стороны: {parties}',
  'send.no-receiver': 'укажите получателя: стороны соглашения {agreement} — {parties}',
  'send.own-party': '{party} — ваша собственная сторона: выберите сторону-получателя ({others})',
  'send.not-a-party': '{party} не является стороной соглашения {agreement}; его стороны: {parties}; третья сторона получает материалы только путём передачи с согласия',
  'send.clearance-too-low': 'ваш допуск ({clearance}) не охватывает уровень {level}: отправка с таким грифом невозможна; обратитесь к офицеру безопасности или выберите более низкий гриф',
  'send.no-such-level': 'в соглашении {agreement} нет уровня {level} ({article})',
  'send.no-equivalent-label': 'у стороны {party} нет грифа, соответствующего уровню {level}, по соглашению {agreement} ({article})',
  'send.incomplete': 'пакет неполон: {reason} ({article}); {how}',
  'send.not-a-draft': 'пакет {packet} уже отправлен; переводы прилагаются только к черновикам',
  'language.translation-mismatch': 'перевод {file} заявлен на языке {lang}, но текст написан на языке {detected} ({article})',
  'language.part-mismatch': 'часть «{role}» {file} заявлена на языке {lang}, но текст написан на языке {detected} ({article})',
  'language.cannot-tell-unread': 'не удаётся определить язык {file} ({reason}); укажите его',
  'language.cannot-tell': 'не удаётся определить язык {file}; укажите его',
  'web.key-locked': 'ключ заблокирован: откройте его парольной фразой',
  'web.not-logged-in': 'вход не выполнен',
  'web.file-empty': 'файл {file} пуст',
  'web.hub-not-pinned': 'ключ хаба — {actual}, а при первом подключении в этом браузере закреплён {pinned}',
  'web.hub-key-mismatch': 'хаб опубликовал ключ, не совпадающий с его отпечатком',
  'web.new-passphrase-too-short': 'парольная фраза нового ключа должна содержать не менее 8 символов',
  'web.key-failed': 'операция с ключом не выполнена: {reason}',
  'web.not-a-state': '«{state}» — недопустимое состояние запроса',
  'web.change-carries-no-document': 'переход в состояние {state} не сопровождается документом',
  'web.change-needs-reasons': 'переход в состояние {state} сопровождается письменными причинами, которых требует соглашение: сначала изложите их',
  'web.change-needs-notice': 'переход в состояние {state} сопровождается письменным уведомлением, которого требует соглашение: сначала составьте его',
  'web.key-unprotected': 'этот секретный ключ не защищён парольной фразой: сначала защитите его (gpg --edit-key KEY passwd)',
  'web.no-key': 'в этом браузере ещё нет ключа',
  'web.idle-minutes': 'время до блокировки — от 1 до 240 минут',
  'web.not-a-fingerprint': 'отпечаток состоит из 40 шестнадцатеричных символов',
  'web.not-a-party': '«{party}» не является кодом стороны',
  'web.not-a-date-time': '«{value}» не является датой и временем',
  'web.session-ended': 'ваш сеанс на этом хабе завершён (истёк или закрыт): войдите снова',
  'web.no-room': 'для операции «{what}» нужно {needed} хранилища браузера для этого сайта, а свободно лишь {free}: освободите место на диске или удалите данные сайтов и повторите попытку',
  'web.storage-full': 'при записи переполнилось хранилище браузера для этого сайта: освободите место на диске или удалите данные сайтов и повторите попытку',
  'api.problem': 'хаб отказал ({problem}): «{detail}» ({article})',
  'api.answer-not-problem': 'хаб ответил кодом {status}',
  'api.unreachable.refused': 'хаб по адресу {hub} недоступен: там никто не отвечает; запущен ли хаб и верен ли адрес?',
  'api.unreachable.unknown-host': 'хаб по адресу {hub} недоступен: такое имя узла неизвестно',
  'api.unreachable.timeout': 'хаб по адресу {hub} недоступен: истекло время ожидания соединения',
  'api.unreachable.reset': 'хаб по адресу {hub} недоступен: соединение разорвано',
  'api.unreachable.tls': 'хаб по адресу {hub} недоступен: TLS-сертификат хаба не является доверенным',
  'api.unreachable.bad-port': 'хаб по адресу {hub} недоступен: HTTP-клиенты не используют этот порт; укажите порт, на котором работает хаб',
  'api.unreachable.network': 'хаб по адресу {hub} недоступен: сбой сети',
  'api.cursor-repeated': 'хаб дважды вернул один и тот же курсор ({what})',
  'api.pages-unbounded': 'выдача хаба ({what}) не завершилась после {pages} страниц',
  'api.session-ended': 'ваш сеанс на {hub} завершён (истёк или закрыт): войдите снова',
  'api.key-inactive': 'ключ больше не может действовать — хаб сообщает: «{detail}»; обратитесь к офицеру безопасности',
  'api.not-json': 'ответ хаба на {method} {path} не является JSON',
  'api.not-protocol': 'ответ хаба на {method} {path} не соответствует протоколу',
  'api.invalid-wrap-length': 'хаб указал недопустимую длину обёртки ключа',
  'api.upload-failed': 'загрузка на хаб не удалась',
  'key.passphrase-too-short': 'парольная фраза должна содержать не менее 8 символов',
  'key.not-a-public-key': 'это не открытый ключ OpenPGP',
  'key.not-a-private-key': 'это не секретный ключ OpenPGP',
  'key.wrong-passphrase': 'парольная фраза не открывает этот ключ',
  'key.passphrase-protected': 'ключ защищён парольной фразой',
  'key.not-v4': 'принимаются только ключи версии 4 (профиль GnuPG 2.2); этот ключ версии {version}',
  'key.cannot-sign-and-encrypt': 'ключ {fingerprint} на {date} не может одновременно подписывать и шифровать (срок истёк, ключ отозван или нет подключа)',
  'part.unreadable': 'часть не удаётся прочитать',
  'part.empty': 'часть пуста',
  'part.no-encrypted-data': 'в части нет зашифрованных данных с защитой целостности',
  'part.cut-short': 'зашифрованные данные обрываются',
  'part.malformed': 'структура данных OpenPGP нарушена: {reason} (байт {offset})',
  'part.not-openpgp-message': 'часть не является сообщением OpenPGP',
  'part.not-a-recipient': 'часть зашифрована не для этого ключа',
  'part.file-name-not-unicode': 'имя файла не является допустимым текстом Unicode',
  'part.no-recipient': 'у части должен быть хотя бы один получатель',
  'part.no-wrap-recipient': 'не указаны получатели, для которых перешифровывается ключ',
  'part.cannot-decrypt': 'этот ключ не может расшифровать часть',
  'part.cannot-open-to-rewrap': 'этот ключ не может открыть часть для перешифровки',
  'part.no-session-key': 'ключ сеанса не найден',
  'part.wrap-not-openpgp': 'обёртка ключа не является данными OpenPGP',
  'part.wrap-foreign-packets': 'обёртка может содержать только пакеты ключа сеанса, зашифрованного открытым ключом',
  'statement.invalid': 'заявление ({what}) составлено неверно: {issues}',
  'statement.not-canonical': 'заявление не в канонической форме: {reason}',
  'stamp.missing-font': 'не установлен шрифт для письменности {script}',
  'languages.translation-required': 'отсутствует обязательный перевод: {languages}',
  'languages.one-of': 'пакет должен быть на одном из языков: {languages}',
  'languages.original-official': 'оригинал должен быть на официальном языке стороны {party} ({languages})',
  'notice.language-confirmed': '{file}: язык {detected} подтверждён',
  'notice.language-mismatch': '{file}: заявлен язык {declared}, но текст написан на языке {detected}',
  'notice.language-undetermined': '{file}: язык не определён ({reason}); заявленный язык {declared} принят без проверки',
  'notice.language-not-checked': '{file}: язык не проверялся ({reason})',
  'notice.warning': 'внимание: {notice}',
  'notice.kept-as-draft': 'сохранено как черновик: {reason} ({article})',
  'notice.receipt-sent': 'квитанция о получении подписана и направлена на хаб',
  'notice.receipt-failed': 'внимание: квитанцию о получении зарегистрировать не удалось: {reason}',
  'web.notice.confirms-oral': 'пакет письменно подтверждает устный запрос {id}',
  'web.notice.form-unreadable': 'внимание: форму запроса {file} не удалось прочитать как форму запроса по соглашению {agreement}',
  'web.notice.form-incomplete': 'внимание: в форме запроса не указано: {fields} ({article})',
};

/** The frame of a hub answer by its problem code: the hub's own detail is quoted inside it. */
const hubEn: Record<HubProblemCode, string> = {
  'bad-request': 'The hub refused the request as malformed: {detail}',
  unauthenticated: 'The hub asks you to log in: {detail}',
  forbidden: 'The hub does not permit this action: {detail}',
  'not-found': 'The hub has no such record: {detail}',
  conflict: 'The hub refused: this conflicts with the current state: {detail}',
  'treaty-rule': 'Refused under the agreement: {detail}',
  'too-large': 'The hub refused: the request is too large: {detail}',
  'too-many-requests': 'The hub refused: too many requests, try again later: {detail}',
  'unsupported-media-type': 'The hub refused the format of the request: {detail}',
  internal: 'The hub failed: {detail}',
};
const hubRu: Record<HubProblemCode, string> = {
  'bad-request': 'Хаб отклонил запрос как составленный неверно: «{detail}»',
  unauthenticated: 'Хаб требует входа: «{detail}»',
  forbidden: 'Хаб не разрешает это действие: «{detail}»',
  'not-found': 'На хабе нет такой записи: «{detail}»',
  conflict: 'Хаб отказал: действие противоречит текущему состоянию: «{detail}»',
  'treaty-rule': 'Хаб отказал на основании соглашения: «{detail}»',
  'too-large': 'Хаб отказал: запрос слишком велик: «{detail}»',
  'too-many-requests': 'Хаб отказал: слишком много запросов, повторите позже: «{detail}»',
  'unsupported-media-type': 'Хаб отказал: формат запроса не поддерживается: «{detail}»',
  internal: 'Сбой на хабе: «{detail}»',
};

/** Frames for what has no known code: a hub answer of an unknown kind, and an error of the browser itself. */
const frames = {
  en: { hubUnknown: 'The hub refused: {detail}', uncoded: '{text}' },
  ru: { hubUnknown: 'Хаб отказал: «{detail}»', uncoded: 'сообщение на английском: «{text}»' },
} as const;

export const errorCatalogues = { en, ru } as const;
export const hubCatalogues = { en: hubEn, ru: hubRu } as const;

const PART_ROLES_RU: Record<string, string> = { original: 'оригинал', translation: 'перевод', attachment: 'приложение', 'request-form': 'форма запроса' };

/**
 * An article as the agreements cite it ("SCO Art. 5(4)", "RU-PK Art. 4 (… not stated; conservative
 * default)") in the register of `locale`: Russian "ст. 5(4) соглашения SCO"; English as it is.
 */
export function articleIn(locale: Locale, article: string): string {
  if (locale === 'en' || !article) return article;
  const m = /^(\S+?)(?: Arts?\. (.+?))?(?: \((.+)\))?$/.exec(article.trim());
  if (!m) return article;
  const [, agreement, numbers, note] = m;
  const notes: Record<string, string> = {
    'survival after termination not stated; conservative default': 'сохранение в силе после прекращения не оговорено; принято осторожное толкование',
    'survival after withdrawal not stated; conservative default': 'сохранение в силе после выхода не оговорено; принято осторожное толкование',
    'contents not listed; conservative default': 'содержание не перечислено; принято осторожное толкование',
  };
  const noteRu = note === undefined ? '' : ` (${notes[note] ?? note.replace(/^provisional; news item (\d+)$/, 'предварительно; сообщение № $1')})`;
  const base = numbers ? `ст. ${numbers.replace(/\)-\(/g, ')–(')} соглашения ${agreement}` : `соглашение ${agreement}`;
  return `${base}${noteRu}`;
}

function fill(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? `{${name}}`);
}

/** One parameter in `locale`: a quoted reason worded in turn, an article cited, a hint of ours, a part role. */
function paramIn(locale: Locale, name: string, value: ErrorParam): string {
  if (typeof value === 'object') return wordingIn(locale, value);
  const text = String(value);
  if (name === 'article') return articleIn(locale, text);
  if (name === 'how' || name === 'what') {
    const phrase = Object.values(WEB_PHRASES).find((h) => h.en === text);
    if (phrase) return phrase[locale];
  }
  if (name === 'role' && locale === 'ru') return PART_ROLES_RU[text] ?? text;
  return text;
}

/** A hub answer: the frame of its problem code (or the unknown frame), with the hub's detail. */
function hubSentence(locale: Locale, problem: string, detail: string): string {
  const frame = (hubCatalogues[locale] as Record<string, string>)[problem] ?? frames[locale].hubUnknown;
  return fill(frame, { detail });
}

/** The sentence for a code and its parameters in `locale`; a code not in the catalogue is framed with its English text. */
function wordingIn(locale: Locale, wording: ErrorWording, english?: string): string {
  const params: Record<string, string> = Object.fromEntries(Object.entries(wording.params).map(([k, v]) => [k, paramIn(locale, k, v)]));
  if (wording.code === 'api.problem') return hubSentence(locale, params.problem ?? '', params.detail ?? '');
  const template = (errorCatalogues[locale] as Record<string, string>)[wording.code];
  if (template === undefined) return fill(frames[locale].uncoded, { text: english ?? params.text ?? wording.code });
  return fill(template, params);
}

/** The sentence for an error the page shows: its wording when it has one, else its text in the unknown frame. */
export function errorSentence(locale: Locale, wording: ErrorWording | undefined, english: string): string {
  return wording ? wordingIn(locale, wording, english) : fill(frames[locale].uncoded, { text: english });
}
