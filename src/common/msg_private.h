/* msg_private.h - the tables of the catalogue, one per area (private to
 * msg*.c and test_msg). Each table file checks at compile time that it holds
 * as many rows as its area has ids; test_msg checks each row's id. */
#pragma once
#include "common/msg.h"

extern const MgMsg mg_msg_reason_rows[];
extern const gsize mg_msg_reason_n_rows;
extern const MgMsg mg_msg_notice_rows[];
extern const gsize mg_msg_notice_n_rows;
extern const MgMsg mg_msg_ui_rows[];
extern const gsize mg_msg_ui_n_rows;
extern const MgMsg mg_msg_report_rows[];
extern const gsize mg_msg_report_n_rows;
extern const MgMsg mg_msg_cli_rows[];
extern const gsize mg_msg_cli_n_rows;
