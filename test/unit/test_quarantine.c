/* test_quarantine.c - the quarantine store in process.
 *
 * Objects round-trip and a damaged one is refused; a write that stopped
 * before its index row (a crash) leaves no item, only a staging file purge
 * removes; ids are strict; the two-person rule holds whatever the caller;
 * filters are values, not SQL; hostile text is made printable.
 */
#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <utime.h>

#include "quarantine/quarantine_check.h"
#include "quarantine/quarantine_headers.h"
#include "quarantine/quarantine_object.h"
#include "quarantine/quarantine_query.h"
#include "quarantine/quarantine_release.h"
#include "quarantine/quarantine_remove.h"

#define REPORT                                                                                \
  "{\"id\":\"%s\",\"verdict\":\"withheld\",\"from\":\"a@example.jp\",\"subject\":\"%s\","     \
  "\"reason\":\"virus found\",\"virus\":[\"Test\"],\"parts\":[]}"
#define MESSAGE "From: a@example.jp\nTo: b@city.example.lg.jp, c@x.jp\nSubject: s\n\nbody\n"

static const MgQuarantineActor alice = { "alice", "operator", "127.0.0.1" };
static const MgQuarantineActor bob = { "bob", "approver", "127.0.0.1" };
static const MgQuarantineActor carol = { "carol", "approver", "127.0.0.1" };

typedef struct {
  char *dir;
  MgConfig *config;
  MgQuarantineStore *store;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  (void) data;
  f->dir = g_dir_make_tmp ("mugai-q-XXXXXX", NULL);
  f->config = mg_config_new_default ();
  g_free (f->config->quarantine_directory);
  f->config->quarantine_directory = g_strdup (f->dir);
  f->store = mg_quarantine_store_open (f->config, &error);
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);
    if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
        !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
      remove_tree (child);
    else
      g_unlink (child);
  }
  g_rmdir (path);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  (void) data;
  mg_quarantine_store_free (f->store);
  mg_config_free (f->config);
  remove_tree (f->dir);
  g_free (f->dir);
}

static void
put (Fixture *f, const char *id, const char *subject)
{
  g_autofree char *report = g_strdup_printf (REPORT, id, subject);
  g_autoptr (GBytes) message = g_bytes_new_static (MESSAGE, strlen (MESSAGE));
  g_autoptr (GError) error = NULL;

  /* the addresses as the sanitiser's result gives them (the store reads no header) */
  MgQuarantinePut request = { id,   message, message,        report,
                              TRUE, NULL,    "a@example.jp", "b@city.example.lg.jp, c@x.jp" };

  g_assert_true (mg_quarantine_store_put (f->config, &request, &error));
  g_assert_no_error (error);
}

static void
test_object_round_trip (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) in = g_bytes_new_static ("hello quarantine", 16);
  g_autofree char *sha = NULL;
  g_autofree char *staged = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GBytes) out = NULL;
  g_autoptr (GError) error = NULL;

  (void) data;
  g_assert_true (mg_quarantine_object_stage (f->dir, in, &sha, &staged, &error));
  g_assert_true (mg_quarantine_object_commit (f->dir, staged, sha, &error));
  out = mg_quarantine_object_read (f->dir, sha, 1024, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (in, out));
  g_clear_pointer (&out, g_bytes_unref);
  out = mg_quarantine_object_read (f->dir, sha, 4, &error); /* over MAX */
  g_assert_null (out);
  g_clear_error (&error);
  path = g_strdup_printf ("%s/objects/%.2s/%s.zst", f->dir, sha, sha);
  g_assert_true (g_file_set_contents (path, "not zstd", -1, NULL));
  out = mg_quarantine_object_read (f->dir, sha, 1024, &error);
  g_assert_null (out);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_false (mg_quarantine_object_valid_name ("../../etc/passwd"));
  g_assert_false (mg_quarantine_object_valid_name (NULL));
}

/* A writer that staged its objects and died before the index: no item. */
static void
test_crash_before_index (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) in = g_bytes_new_static ("orphan", 6);
  g_autofree char *sha = NULL;
  g_autofree char *staged = NULL;
  g_auto (MgQuarantineCheck) check = { 0 };
  g_autoptr (GError) error = NULL;
  guint purged = 0;

  (void) data;
  put (f, "20261122T010203Z-0000000a", "kept");
  g_assert_true (mg_quarantine_object_stage (f->dir, in, &sha, &staged, &error));
  g_assert_true (mg_quarantine_check_run (f->store, &check, &error));
  g_assert_cmpuint (check.items, ==, 1);
  g_assert_cmpuint (check.problems->len, ==, 0);
  g_assert_cmpuint (check.staging, ==, 1);
  g_assert_true (g_utime (staged, &(struct utimbuf){ 1, 1 }) == 0);
  g_assert_true (mg_quarantine_remove_expired (
      f->store, g_get_real_time () / G_USEC_PER_SEC,
      &(MgQuarantineActor){ "cron", "local", "local" }, &purged, &error));
  g_assert_cmpuint (purged, ==, 0);
  g_assert_false (g_file_test (staged, G_FILE_TEST_EXISTS));
}

static void
test_ids_are_strict (void)
{
  g_assert_true (mg_quarantine_id_valid ("20261122T010203Z-4f2a0b1c"));
  g_assert_false (mg_quarantine_id_valid ("20261122T010203Z-4F2A0B1C"));
  g_assert_false (mg_quarantine_id_valid ("20261122T010203Z-4f2a0b1"));
  g_assert_false (mg_quarantine_id_valid ("20261122X010203Z-4f2a0b1c"));
  g_assert_false (mg_quarantine_id_valid ("../../../../../etc/passwd"));
  g_assert_false (mg_quarantine_id_valid ("20261122T010203Z-4f2a0b1c/"));
  g_assert_false (mg_quarantine_id_valid (""));
  g_assert_false (mg_quarantine_id_valid (NULL));
}

static gboolean
fake_deliver (gpointer ctx, const MgQuarantineItem *item, const MgQuarantineRequest *request,
              GBytes *original, char **result_r, GError **error)
{
  (void) item;
  (void) original;
  (void) error;
  g_assert_cmpstr (request->password, ==, "zip-pass");
  (*(int *) ctx)++;
  *result_r = g_strdup ("delivered");
  return TRUE;
}

/* Approval of ID by ACTOR is refused with CODE. */
static void
assert_approve_refused (Fixture *f, const char *id, const MgQuarantineActor *actor,
                        int *delivered, MgQuarantineError code)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = mg_quarantine_release_approve (f->store, id, actor, fake_deliver, delivered,
                                               NULL, &error);

  g_assert_false (ok);
  g_assert_error (error, MG_QUARANTINE_ERROR, (gint) code);
}

static void
test_two_person_rule (Fixture *f, gconstpointer data)
{
  const char *id = "20261122T010203Z-0000000b";
  g_autoptr (GError) error = NULL;
  int delivered = 0;
  g_autofree char *result = NULL;

  (void) data;
  put (f, id, "release me");
  assert_approve_refused (f, id, &bob, &delivered, MG_QUARANTINE_ERROR_STATE);
  g_assert_true (mg_quarantine_release_request (f->store, id, &bob, "sanitised", "zip-pass",
                                                NULL, &error));
  assert_approve_refused (f, id, &bob, &delivered, MG_QUARANTINE_ERROR_SAME_PERSON);
  assert_approve_refused (f, id, &alice, &delivered, MG_QUARANTINE_ERROR_ROLE);
  g_assert_cmpint (delivered, ==, 0);
  g_assert_true (mg_quarantine_release_approve (f->store, id, &carol, fake_deliver, &delivered,
                                                &result, &error));
  g_assert_cmpint (delivered, ==, 1);
  g_assert_cmpstr (result, ==, "delivered");
}

static void
test_filters_are_values (Fixture *f, gconstpointer data)
{
  MgQuarantineFilter filter = { .reason = "%" };
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GError) error = NULL;

  (void) data;
  put (f, "20261122T010203Z-0000000c", "50% off'; DROP TABLE items; --");
  items = mg_quarantine_query_list (f->store, &filter, &error);
  g_assert_cmpuint (items->len, ==, 0);
  g_clear_pointer (&items, g_ptr_array_unref);
  filter = (MgQuarantineFilter){ .text = "50% off'; DROP" };
  items = mg_quarantine_query_list (f->store, &filter, &error);
  g_assert_cmpuint (items->len, ==, 1);
  g_clear_pointer (&items, g_ptr_array_unref);
  filter = (MgQuarantineFilter){ .recipient = "c@x.jp" };
  items = mg_quarantine_query_list (f->store, &filter, &error);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpstr (((MgQuarantineItem *) items->pdata[0])->recipients, ==,
                   "b@city.example.lg.jp, c@x.jp");
}

static void
test_times_in_jst (void)
{
  gint64 t = 0;
  g_autofree char *text = NULL;

  g_assert_true (mg_quarantine_query_parse_time ("2026-11-22", &t));
  g_assert_cmpint (t, ==, 1795273200); /* 2026-11-21T15:00:00Z */
  text = mg_quarantine_query_format_jst (t);
  g_assert_cmpstr (text, ==, "2026-11-22 00:00:00 JST");
  g_assert_true (mg_quarantine_query_parse_time ("2026-11-22T00:00:00Z", &t));
  g_assert_cmpint (t, ==, 1795305600);
  g_assert_false (mg_quarantine_query_parse_time ("yesterday", &t));
  g_assert_false (mg_quarantine_query_parse_time ("2026-13-45", &t));
}

static void
test_hostile_text (void)
{
  g_autofree char *a = mg_quarantine_headers_printable ("a\x1b[31mb\x07\r\nc\xff", FALSE);
  g_autofree char *b = mg_quarantine_headers_printable ("x\xe2\x80\xaey", FALSE);

  g_assert_null (strchr (a, '\x1b'));
  g_assert_null (strchr (a, '\n'));
  g_assert_true (g_utf8_validate (a, -1, NULL));
  g_assert_null (strstr (b, "\xe2\x80\xae")); /* RIGHT-TO-LEFT OVERRIDE */
  g_assert_true (mg_quarantine_headers_address_valid ("somu@city.example.lg.jp"));
  g_assert_false (mg_quarantine_headers_address_valid ("a@b>\r\nRCPT TO:<c@d"));
  g_assert_false (mg_quarantine_headers_address_valid ("a b@c"));
  g_assert_false (mg_quarantine_headers_address_valid ("@c"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/quarantine/object-round-trip", Fixture, NULL, setup, test_object_round_trip,
              teardown);
  g_test_add ("/quarantine/crash-before-index", Fixture, NULL, setup, test_crash_before_index,
              teardown);
  g_test_add_func ("/quarantine/ids-are-strict", test_ids_are_strict);
  g_test_add ("/quarantine/two-person-rule", Fixture, NULL, setup, test_two_person_rule,
              teardown);
  g_test_add ("/quarantine/filters-are-values", Fixture, NULL, setup, test_filters_are_values,
              teardown);
  g_test_add_func ("/quarantine/times-in-jst", test_times_in_jst);
  g_test_add_func ("/quarantine/hostile-text", test_hostile_text);
  return g_test_run ();
}
