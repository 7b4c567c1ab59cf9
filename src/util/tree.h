/* tree.h - remove a folder and everything below it, following no link; tell
 * whether a folder's files changed. Knows nothing about mail. */
#pragma once

/* Remove PATH (a folder or a file) and all below it. A symbolic link is
 * removed itself, never followed. Failures are ignored: the caller's folder
 * was temporary. */
void mg_tree_remove (const char *path);

/* The names, sizes and modification times of the regular files in DIR (not
 * below), sorted, as one string owned by the caller; NULL when DIR cannot be
 * read. Equal stamps: the same files (a virus database not changed). */
char *mg_tree_stamp (const char *dir);
