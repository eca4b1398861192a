/**
 * The shape of a BCP 47 language tag as Liaison accepts it (a lower-case primary subtag, then
 * subtags of 2-8 letters or digits), in one place: protocol/ids.ts builds the `LanguageTag`
 * schema from it, and the web client's forms use it as their `pattern`, so a browser refuses at
 * once what the core and the hub would refuse later. Free of zod, so the page bundle can import it.
 */
export const LANGUAGE_TAG_PATTERN = '[a-z]{2,3}(-[A-Za-z0-9]{2,8})*';
