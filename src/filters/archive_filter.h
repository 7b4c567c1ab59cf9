/* archive_filter.h - archives: ZIP, 7z, tar, gzip, bzip2, xz, LZH, RAR, CAB (libarchive).
 *
 * Every member goes through the whole policy (virus scan, libmagic, its own
 * filter: an archive inside an archive too), and the members that may pass
 * are repacked as one ZIP with UTF-8 names and the UTF-8 flag set. Names made
 * on Japanese Windows (CP932 without the flag) are decoded; names that climb
 * out ("../", "/abs", "C:"), links and special files are dropped and reported.
 *
 * The [archive] limits (members, unpacked bytes, expansion ratio, member size,
 * seconds) are shared by every archive nested in one top-level archive; when
 * one is reached the whole archive is removed (and held) with MG_REASON_LIMIT.
 * An encrypted member (ZipCrypto, AES, 7z, RAR: PPAP) withholds the archive
 * with MG_REASON_ENCRYPTED, since its content cannot be inspected.
 *
 * It never writes a file, never follows a link, never uses a member name as a
 * path, and never lets libarchive guess the format: the libmagic type decides
 * which reader runs (no mtree, which reads local files; no external programs).
 */
/* Not "archive.h": that is libarchive's header. */
#pragma once
#include "common/filter.h"

extern const MgFilter mg_filter_archive;
