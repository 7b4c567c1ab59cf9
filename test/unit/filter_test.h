/* filter_test.h - what the unit tests of one filter share: each test runs
 * with a fresh default configuration (in CONFIG, which it may change), after
 * the filter's init. Included by one test program each; not a library. */
#pragma once
#include <glib.h>

#include "common/filter.h"

typedef struct {
  const char *path;
  GTestFunc test;
} MgFilterTest;

static MgConfig *config;

static void
with_fresh_config (gconstpointer data)
{
  g_clear_pointer (&config, mg_config_free);
  config = mg_config_new_default ();
  ((const MgFilterTest *) data)->test ();
}

/* Initialise FILTER, run the N TESTS, return g_test_run's status. */
static int
run_filter_tests (int argc, char **argv, const MgFilter *filter, const MgFilterTest *tests,
                  gsize n)
{
  g_test_init (&argc, &argv, NULL);
  config = mg_config_new_default ();
  g_assert_true (filter->init == NULL || filter->init (config, NULL));
  for (gsize i = 0; i < n; i++)
    g_test_add_data_func (tests[i].path, &tests[i], with_fresh_config);
  int status = g_test_run ();
  g_clear_pointer (&config, mg_config_free);
  return status;
}
