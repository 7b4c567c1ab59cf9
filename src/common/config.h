/* config.h - mugai's configuration: one table of keys, one struct of values.
 *
 * Every key is declared once in config.c (group, key, type, default, bounds);
 * the loader, conf/mugai.conf and doc/ are checked against that table by a test.
 * Loading never half-succeeds: a bad file or value is an error naming the key.
 */
#pragma once
#include <glib.h>

#include "mg_build.h"

/* SYSCONFDIR/mugai/mugai.conf: /etc/mugai/mugai.conf in the package. */
#define MG_CONFIG_DEFAULT_PATH MG_SYSCONFDIR "/mugai/mugai.conf"

typedef enum { MG_ON_VIRUS_WITHHOLD, MG_ON_VIRUS_REJECT } MgOnVirus;
typedef enum { MG_OUTPUT_UTF8, MG_OUTPUT_ISO2022JP } MgOutputCharset;
typedef enum { MG_QUARANTINE_KEEP_WITHHELD, MG_QUARANTINE_KEEP_ALL } MgQuarantineKeep;
/* Where the quarantine's index, objects, audit log and sessions live. */
typedef enum {
  MG_QUARANTINE_BACKEND_SQLITE,
  MG_QUARANTINE_BACKEND_POSTGRESQL
} MgQuarantineBackend;

/* Limits of the parser and pipeline; hitting one is a finding, never a crash. */
typedef struct {
  gint64 message_size;  /* bytes of one message */
  gint64 parts;         /* MIME parts of one message, all levels */
  gint64 depth;         /* nesting of multiparts and attached messages */
  gint64 header_length; /* bytes of one header field, unfolded */
  gint64 headers;       /* header fields of one part */
  gint64 parameters;    /* parameters of one Content-Type/Disposition */
  gint64 text_size;     /* bytes of body text kept after conversion */
} MgLimits;

typedef struct {
  int enabled;          /* 0 no, 1 yes (an enum key): sandboxed worker processes */
  gint64 workers;       /* worker processes (0: one per core) */
  gint64 max_jobs;      /* jobs before a worker is replaced */
  gint64 job_timeout;   /* seconds one job may take */
  gint64 max_memory_mb; /* address space of a worker */
  char *tmp_directory;  /* where workers make their temporary folders ("": TMPDIR) */
} MgSandboxConfig;

/* Limits of the archive filter, shared by every archive nested in one
 * top-level archive (a bomb of nested archives meets them together). */
typedef struct {
  gint64 max_members;     /* entries read, all levels */
  gint64 max_total_size;  /* bytes unpacked, all levels */
  gint64 max_ratio;       /* bytes unpacked per byte of the top-level archive */
  gint64 max_member_size; /* bytes of one member */
  gint64 max_seconds;     /* wall-clock seconds for the whole archive */
} MgArchiveLimits;

typedef enum { MG_PDF_MODE_VECTOR, MG_PDF_MODE_RASTER } MgPdfMode;
typedef enum { MG_PDF_ANNOTATIONS_PRINT, MG_PDF_ANNOTATIONS_NONE } MgPdfAnnotations;

/* Choices and limits of the PDF filter (src/filters/pdf.c). */
typedef struct {
  MgPdfMode mode;               /* pages redrawn as vectors or as images */
  gint64 raster_dpi;            /* resolution of raster mode */
  gint64 scan_dpi;              /* resolution of scanned pages in vector mode, 0: off */
  MgPdfAnnotations annotations; /* which annotation appearances are drawn */
  gint64 max_pages;
  gint64 max_page_area;   /* points² of one page */
  gint64 max_seconds;     /* wall-clock seconds for one document */
  gint64 max_output_size; /* bytes of the rebuilt PDF */
  gint64 max_memory;      /* MiB the rendering of one document may allocate */
} MgPdfConfig;

typedef enum { MG_IMAGE_REENCODE_LOSSLESS, MG_IMAGE_REENCODE_PIXELS } MgImageReencode;

/* Limits and choices of the image filter (src/filters/image.c). */
typedef struct {
  gint64 max_pixels;         /* width × height, checked before decoding */
  gint64 max_dimension;      /* width or height */
  gint64 max_message_pixels; /* width × height of all images of one message */
  gint64 max_seconds;        /* decoding and encoding one image, checked between rows */
  MgImageReencode reencode;  /* JPEG: coefficients copied, or pixels encoded again */
} MgImageLimits;

/* Limits of the Office filters (src/filters/ooxml.c, src/filters/office_legacy.c). */
typedef struct {
  gint64 max_parts;           /* zip entries of one OOXML package */
  gint64 max_part_size;       /* bytes of one part, unpacked */
  gint64 max_unpacked_size;   /* bytes of all parts, unpacked */
  gint64 max_ratio;           /* unpacked bytes per packed byte (beyond 1 MiB) */
  char *libreoffice;          /* soffice program, a name on PATH or a path */
  gint64 libreoffice_timeout; /* seconds one conversion may take */
  gint64 libreoffice_memory;  /* MiB of address space for LibreOffice */
  gint64 max_metafiles;       /* EMF/WMF pictures of one document drawn to PNG */
  gint64 libreoffice_reuse;   /* documents one warm LibreOffice converts, then replaced */
  gint64 libreoffice_idle;    /* seconds a warm LibreOffice waits for work */
} MgOfficeConfig;

typedef struct {
  char *path; /* the file loaded, or NULL for built-in defaults */
  char *clamav_database;
  gint64 clamav_max_scan_seconds;
  char *quarantine_directory;
  gint64 quarantine_retention_days;
  MgQuarantineKeep quarantine_keep;
  MgQuarantineBackend quarantine_backend;
  char *quarantine_dsn; /* libpq connection string ([quarantine] backend = postgresql) */
  char *milter_socket;
  char *milter_pid_file;
  gint64 milter_max_inflight;
  gint64 milter_spool_threshold;
  gint64 milter_max_output_size;
  gint64 milter_timeout;
  gint64 milter_reload_interval;
  char *milter_user;         /* started as root: the front and supervisor become it */
  char *milter_worker_user;  /* sandboxed workers and LibreOffice */
  char *milter_socket_owner; /* "" = milter_user */
  char *milter_socket_group;
  char *milter_socket_mode; /* octal text, checked by the milter */
  MgOnVirus on_virus;
  char *policy_html;
  MgOutputCharset output_charset;
  char *notice_language; /* "ja" or "en" */
  MgLimits limits;
  char *admin_listen; /* ADDRESS:PORT of mugai admin */
  char *admin_users_file;
  gint64 admin_session_minutes;
  gint64 admin_session_max_lifetime; /* minutes */
  char *admin_trusted_proxies;
  gint64 admin_request_timeout; /* seconds */
  char *admin_public_url;       /* how staff reach the admin UI, for links; "" = none */
  gint64 admin_login_failures;
  gint64 admin_lockout_minutes;
  char *release_smtp;                      /* HOST:PORT without the milter, or "" */
  char *release_original_forward_address;  /* "" = never */
  char *release_original_smtp;             /* listener for forwarded originals, "" = none */
  char *release_sender;                    /* envelope sender of released mail, "" = <> */
  char *release_allowed_recipient_domains; /* comma-separated; "" = none */
  int release_allow_virus_original;        /* 0 no, 1 yes */
  char *alert_address;       /* CSIRT mailbox told of viruses and failures, "" = none */
  gint64 alert_interval;     /* seconds between two alert mails at least */
  char *alert_exec;          /* command told of each alert (no shell), "" = none */
  gint64 alert_exec_timeout; /* seconds before it is killed */
  MgSandboxConfig sandbox;
  MgArchiveLimits archive;
  MgPdfConfig pdf;
  MgImageLimits image;
  MgOfficeConfig office;
} MgConfig;

typedef enum { MG_CONF_STRING, MG_CONF_INT, MG_CONF_ENUM } MgConfType;

typedef struct {
  const char *group;
  const char *key;
  MgConfType type;
  const char *default_value;
  gint64 min, max;            /* MG_CONF_INT bounds */
  const char *const *choices; /* MG_CONF_ENUM, NULL-terminated */
  gsize offset;               /* into MgConfig */
  const char *doc;
} MgConfKey;

#define MG_CONFIG_ERROR (mg_config_error_quark ())
GQuark mg_config_error_quark (void);

/* The table of every key, terminated by an entry with group == NULL. */
const MgConfKey *mg_config_keys (void);

/* Load PATH (NULL: the default path if it exists, else built-in defaults).
 * Returns a new config, free with mg_config_free; NULL and ERROR naming the
 * file, group and key on any problem (unknown key, bad value, out of bounds). */
MgConfig *mg_config_load (const char *path, GError **error);
MgConfig *mg_config_new_default (void);
/* The key GROUP/KEY of the table, or NULL when there is none. */
const MgConfKey *mg_config_find_key (const char *group, const char *key);
/* Parse TEXT (an inline comment allowed) as KEY's value into CONFIG; FALSE
 * with ERROR naming the key when it is malformed or out of bounds. */
gboolean mg_config_set (MgConfig *config, const MgConfKey *key, const char *text,
                        GError **error);
/* KEY's value in CONFIG as the file writes it (newly allocated). */
char *mg_config_format (const MgConfig *config, const MgConfKey *key);
void mg_config_free (MgConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgConfig, mg_config_free)
