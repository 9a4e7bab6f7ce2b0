// Package audit owns Symphony's tamper-evident audit log: one NDJSON file per UTC day under
// <state-root>/audit, every record hash-chained to the one before it across day boundaries, the
// chain's head checkpointed in the run store, and secrets scrubbed before anything is written.
//
// Verify walks the chain and names the first record that was edited, inserted, reordered or
// removed, and notices when a whole day or the newest records are gone. Query reads an issue's
// events back in order. The writer never rewrites history: a line torn by a crash is moved to a
// side file and the repair itself becomes the next record.
//
// With a signing key (SigningKeyEnv, environment only) the log also signs every checkpoint and
// each day file's last record with ed25519, so that someone who can write the state root but
// lacks the key cannot re-hash a forged chain, and Verify given the public key says how far the
// signatures reach.
package audit
