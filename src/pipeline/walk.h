/* walk.h - walk a parsed message: body text into the job, every other leaf
 * through the attachment policy, attached messages flattened into the text.
 *
 * Bounded by the parts and depth limits: past either, the job is withheld and
 * the walk stops, except that every leaf the parser reached is still scanned
 * for viruses (a virus then becomes the reason). The walk never copies original bytes into the
 * output: text is decoded and re-encoded, attachments go through filters.
 */
#pragma once
#include "pipeline/job.h"

/* Walk MESSAGE (its headers already read by the caller). BOUNDARIES receives
 * every multipart boundary seen (char *, owned by the array). */
void mg_walk_message (MgJob *job, GMimeMessage *message, GPtrArray *boundaries);

/* The MIME path of child INDEX (from 0) under PATH: "1", "2.1", ... */
char *mg_walk_child_path (const char *path, int index);
