/* quarantine_secret.h - a PPAP password sealed while its request is pending.
 *
 * The password of an encrypted ZIP waits in the index between the request and
 * the decision. It is never written there in clear: AES-256-GCM (nettle) with
 * a key only mugai holds, ppap.key in the quarantine directory (32 random
 * bytes, mode 0600, made on first use and given the directory's owner), the
 * item id bound as associated data so a sealed value cannot be moved to
 * another item. Whoever can read ppap.key and the index can open it: the
 * same users who can read the originals themselves.
 */
#pragma once
#include <glib.h>

/* PASSWORD sealed for ITEM_ID ("v1:" and base64 of nonce, ciphertext, tag),
 * the key in DIR made when missing; NULL with ERROR. */
char *mg_quarantine_secret_seal (const char *dir, const char *item_id, const char *password,
                                 GError **error);
/* SEALED opened again (a value without the "v1:" prefix is returned as it is:
 * stored before passwords were sealed); NULL with ERROR when the key is
 * missing or the value was altered or belongs to another item. */
char *mg_quarantine_secret_open (const char *dir, const char *item_id, const char *sealed,
                                 GError **error);
