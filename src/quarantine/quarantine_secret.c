/* quarantine_secret.c - AES-256-GCM sealing of PPAP passwords in the index.
 *
 * Must never write the password or the key where another user can read it,
 * never replace an existing key (sealed values would become unreadable), and
 * never return a value whose tag does not match.
 */
#include "quarantine/quarantine_secret.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/gcm.h>
#include <nettle/memops.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "quarantine/quarantine_object.h"
#include "quarantine/quarantine_store.h"

#define SECRET_KEY_FILE "ppap.key"
#define SECRET_PREFIX "v1:"
#define SECRET_KEY_LEN 32
#define SECRET_NONCE_LEN GCM_IV_SIZE
#define SECRET_MAX 4096 /* longer than any password a form or file gives */

static gboolean
secret_fail (GError **error, const char *what, const char *path)
{
  g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_RELEASE,
               "the sealed archive password: %s%s%s", what, path != NULL ? ": " : "",
               path != NULL ? path : "");
  return FALSE;
}

static gboolean
secret_random (guint8 *buf, gsize len)
{
  gsize done = 0;

  while (done < len) {
    ssize_t n = getrandom (buf + done, len - done, 0);
    if (n < 0 && errno != EINTR)
      return FALSE;
    if (n > 0)
      done += (gsize) n;
  }
  return TRUE;
}

static gboolean
secret_read_key (const char *path, guint8 key[SECRET_KEY_LEN])
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  ssize_t n;

  if (fd < 0)
    return FALSE;
  n = read (fd, key, SECRET_KEY_LEN);
  close (fd);
  return n == SECRET_KEY_LEN;
}

/* A new key written to a private temporary file and linked in place, so that
 * a concurrent reader sees no key or a whole one, and an existing key wins. */
static gboolean
secret_make_key (const char *dir, const char *path)
{
  g_autofree char *tmp = g_strdup_printf ("%s.%d.tmp", path, (int) getpid ());
  guint8 key[SECRET_KEY_LEN];
  gboolean ok = FALSE;
  int fd;

  if (!secret_random (key, sizeof key))
    return FALSE;
  unlink (tmp); /* left by a crashed process of the same pid */
  fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0) {
    ok = write (fd, key, sizeof key) == (ssize_t) sizeof key && fsync (fd) == 0;
    close (fd);
    mg_quarantine_object_adopt (dir, tmp);
    ok = ok && (link (tmp, path) == 0 || errno == EEXIST);
    unlink (tmp);
  }
  explicit_bzero (key, sizeof key);
  return ok;
}

static gboolean
secret_key (const char *dir, gboolean create, guint8 key[SECRET_KEY_LEN], GError **error)
{
  g_autofree char *path = g_build_filename (dir, SECRET_KEY_FILE, NULL);

  if (secret_read_key (path, key))
    return TRUE;
  if (create && secret_make_key (dir, path) && secret_read_key (path, key))
    return TRUE;
  return secret_fail (error, create ? "cannot make or read the key" : "cannot read the key",
                      path);
}

char *
mg_quarantine_secret_seal (const char *dir, const char *item_id, const char *password,
                           GError **error)
{
  gsize len = strlen (password);
  g_autofree guint8 *box = NULL;
  struct gcm_aes256_ctx ctx;
  guint8 key[SECRET_KEY_LEN];
  char *text;
  char *sealed;

  if (len > SECRET_MAX) {
    secret_fail (error, "too long", NULL);
    return NULL;
  }
  if (!secret_key (dir, TRUE, key, error))
    return NULL;
  box = g_malloc (SECRET_NONCE_LEN + len + GCM_DIGEST_SIZE);
  if (!secret_random (box, SECRET_NONCE_LEN)) {
    explicit_bzero (key, sizeof key);
    secret_fail (error, "no random bytes", NULL);
    return NULL;
  }
  gcm_aes256_set_key (&ctx, key);
  gcm_aes256_set_iv (&ctx, SECRET_NONCE_LEN, box);
  gcm_aes256_update (&ctx, strlen (item_id), (const guint8 *) item_id);
  gcm_aes256_encrypt (&ctx, len, box + SECRET_NONCE_LEN, (const guint8 *) password);
  gcm_aes256_digest (&ctx, GCM_DIGEST_SIZE, box + SECRET_NONCE_LEN + len);
  explicit_bzero (key, sizeof key);
  explicit_bzero (&ctx, sizeof ctx);
  text = g_base64_encode (box, SECRET_NONCE_LEN + len + GCM_DIGEST_SIZE);
  sealed = g_strconcat (SECRET_PREFIX, text, NULL);
  g_free (text);
  return sealed;
}

static char *
secret_decrypt (const guint8 key[SECRET_KEY_LEN], const char *item_id, const guint8 *box,
                gsize len)
{
  gsize plain_len = len - SECRET_NONCE_LEN - GCM_DIGEST_SIZE;
  char *plain = g_malloc0 (plain_len + 1);
  guint8 tag[GCM_DIGEST_SIZE];
  struct gcm_aes256_ctx ctx;
  gboolean ok;

  gcm_aes256_set_key (&ctx, key);
  gcm_aes256_set_iv (&ctx, SECRET_NONCE_LEN, box);
  gcm_aes256_update (&ctx, strlen (item_id), (const guint8 *) item_id);
  gcm_aes256_decrypt (&ctx, plain_len, (guint8 *) plain, box + SECRET_NONCE_LEN);
  gcm_aes256_digest (&ctx, GCM_DIGEST_SIZE, tag);
  explicit_bzero (&ctx, sizeof ctx);
  ok = memeql_sec (tag, box + len - GCM_DIGEST_SIZE, GCM_DIGEST_SIZE) &&
       memchr (plain, '\0', plain_len) == NULL;
  if (!ok) {
    explicit_bzero (plain, plain_len);
    g_free (plain);
    return NULL;
  }
  return plain;
}

char *
mg_quarantine_secret_open (const char *dir, const char *item_id, const char *sealed,
                           GError **error)
{
  g_autofree guint8 *box = NULL;
  guint8 key[SECRET_KEY_LEN];
  gsize len = 0;
  char *plain;

  if (!g_str_has_prefix (sealed, SECRET_PREFIX))
    return g_strdup (sealed);
  if (strlen (sealed) > 2 * SECRET_MAX) {
    secret_fail (error, "too long", NULL);
    return NULL;
  }
  box = g_base64_decode (sealed + strlen (SECRET_PREFIX), &len);
  if (len < SECRET_NONCE_LEN + GCM_DIGEST_SIZE) {
    secret_fail (error, "damaged", NULL);
    return NULL;
  }
  if (!secret_key (dir, FALSE, key, error))
    return NULL;
  plain = secret_decrypt (key, item_id, box, len);
  explicit_bzero (key, sizeof key);
  if (plain == NULL)
    secret_fail (error, "altered, or sealed for another item or with another key", NULL);
  return plain;
}
