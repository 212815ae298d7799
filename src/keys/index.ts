/**
 * SSH keys for the platform (DESIGN.md, Keys): generate, check in every format users have,
 * store with owner-only permissions, and load for ssh2.
 */
export { generateKey, importKey, listKeys, getKey, ensureDefaultKey, keysDir, privateKeyPath, checkKeyName, DEFAULT_KEY_NAME } from './key-store'
export { checkKeyText, keyFacts, publicLine, MIN_RSA_BITS, type KeyCheck, type KeyFacts, type CheckOptions } from './check-key'
export { parseKeyText, type KeyFormat, type ParsedKeyText } from './parse-key'
export { loadPrivateKeyForSsh } from './ssh-key'
export { generatePair, RSA_BITS, type GeneratedPair, type GeneratedType } from './key-pair'
export { readKeyFileBytes, MAX_KEY_FILE_BYTES } from './read-key-file'
