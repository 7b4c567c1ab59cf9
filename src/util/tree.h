/* tree.h - remove a folder and everything below it, following no link.
 * Knows nothing about mail. */
#pragma once

/* Remove PATH (a folder or a file) and all below it. A symbolic link is
 * removed itself, never followed. Failures are ignored: the caller's folder
 * was temporary. */
void mg_tree_remove (const char *path);
