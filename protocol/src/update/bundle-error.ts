/**
 * Why a bundle, a key list or an install was refused. One code per cause so the unit, the CLI
 * and the companion can tell them apart; the message is a sentence for a person and never holds
 * key material.
 */
export type BundleErrorCode =
  | 'bad-header' // not a bundle, an unknown container version, a torn header, trailing bytes
  | 'manifest-too-large'
  | 'key-list-too-large'
  | 'unsigned'
  | 'bad-signature' // the signature does not match the manifest (or the key list)
  | 'unknown-key' // signed by a key the unit does not trust
  | 'revoked-key'
  | 'bad-manifest' // signed, but not a manifest this runtime understands
  | 'bad-key-list'
  | 'key-list-rollback' // a key list older than the one the unit holds
  | 'incompatible' // not for this unit's model, or not allowed to replace the installed version
  | 'downgrade' // older than the installed runtime, without a downgrade permission for this unit
  | 'too-large' // larger than the slot
  | 'payload-mismatch' // a file's bytes do not hash to the manifest's sha256
  | 'truncated' // the sender stopped before the end
  | 'deadline' // the sender was slower than the deadline
  | 'not-verified' // asked to install staged files this run did not verify
  | 'install-failed'; // writing the slot failed (disk full, I/O error)

export class BundleError extends Error {
  constructor(
    readonly code: BundleErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BundleError';
  }
}
