/* test_archive.c - the archive filter's budgets, in process: the entry count
 * read from the headers before the virus scan (the precheck), against
 * [archive] max_members less what the archives around it spent, and the
 * message's deadline inside unpacking. ZIPs are written here with the OOXML
 * zip writer. The hostile archives through `mugai mail` are in
 * test/integration/test_archive.py. */
#include <glib.h>
#include <string.h>

#include "filters/archive_filter.h"
#include "filters/ooxml_zip.h"
#include "filter_test.h"

/* A ZIP of N small text members. */
static GBytes *
zip_of_texts (guint n)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) data = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < n; i++) {
    g_ptr_array_add (names, g_strdup_printf ("t%05u.txt", i));
    g_ptr_array_add (data, g_bytes_new_static ("text\n", 5));
  }
  GBytes *zip = mg_ooxml_zip_write (names, data, NULL);
  g_assert_nonnull (zip);
  return zip;
}

/* MgFilterRecurse: every member kept as it is (the policy is not under test). */
static void
keep_member (gpointer ctx, GBytes *member, const char *name, MgFilterResult *result,
             char **detected_r)
{
  (void) ctx;
  (void) name;
  *detected_r = g_strdup ("text/plain");
  result->action = MG_ACTION_KEPT;
  result->output = g_bytes_ref (member);
  result->output_type = g_strdup ("text/plain");
}

static MgFilterInput
zip_input (MgFilterBudget *budget)
{
  MgFilterInput in = { .detected_type = "application/zip",
                       .filename = "a.zip",
                       .config = config,
                       .recurse = keep_member,
                       .budget = budget };
  return in;
}

/* Over max_members: removed by the precheck, naming the key; at the limit:
 * left to the filter, which repacks it. */
static void
test_precheck_members (void)
{
  g_autoptr (GBytes) small = zip_of_texts (5);
  g_autoptr (GBytes) many = zip_of_texts (40);
  MgFilterInput in = zip_input (NULL);
  MgFilterResult r = { 0 };

  config->archive.max_members = 5;
  g_assert_true (mg_filter_archive.precheck (small, &in, &r));
  g_assert_true (mg_filter_archive.sanitise (small, &in, &r, NULL));
  g_assert_cmpint (r.action, ==, MG_ACTION_CONVERTED);
  mg_filter_result_clear (&r);
  g_assert_false (mg_filter_archive.precheck (many, &in, &r));
  g_assert_cmpint (r.action, ==, MG_ACTION_REMOVED);
  g_assert_cmpint (r.reason, ==, MG_REASON_LIMIT);
  g_assert_nonnull (strstr (r.detail, "max_members"));
  mg_filter_result_clear (&r);
}

/* The message's time ran out: unpacking stops with that reason. */
static void
test_message_deadline (void)
{
  g_autoptr (GBytes) zip = zip_of_texts (3);
  MgFilterBudget budget = { .deadline = 1 }; /* long past */
  MgFilterInput in = zip_input (&budget);
  MgFilterResult r = { 0 };

  g_assert_true (mg_filter_archive.sanitise (zip, &in, &r, NULL));
  g_assert_cmpint (r.action, ==, MG_ACTION_REMOVED);
  g_assert_cmpint (r.reason, ==, MG_REASON_LIMIT);
  g_assert_nonnull (strstr (r.detail, "job_timeout"));
  g_assert_null (r.output);
  mg_filter_result_clear (&r);
}

static const MgFilterTest tests[] = {
  { "/archive/precheck-members", test_precheck_members },
  { "/archive/message-deadline", test_message_deadline },
};

int
main (int argc, char **argv)
{
  return run_filter_tests (argc, argv, &mg_filter_archive, tests, G_N_ELEMENTS (tests));
}
