/** Types for `bcrypt-pbkdf` (OpenSSH's key-file KDF; the package ssh2 and sshpk use), which ships none. */
declare module 'bcrypt-pbkdf' {
  const bcryptPbkdf: {
    /** Fills `key` (keylen bytes) from pass and salt; returns 0 on success, -1 on bad arguments. */
    pbkdf(pass: Uint8Array, passlen: number, salt: Uint8Array, saltlen: number, key: Uint8Array, keylen: number, rounds: number): number
  }
  export default bcryptPbkdf
}
