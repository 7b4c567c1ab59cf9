/* milter_callbacks.h - the libmilter callbacks of mugai-milter.
 *
 * Thin adapters: collect the message into the session, and at end of message
 * run the pipeline, apply its output and answer through mg_milter_reply. They
 * hold no sanitising logic and never accept a message they did not replace.
 */
#pragma once
#include <libmilter/mfapi.h>

#include "milter/milter_eom.h"

/* The filter description to register with smfi_register. SETUP must stay
 * valid until smfi_main has returned and the drain is over. */
struct smfiDesc mg_milter_callbacks_desc (const MgMilterSetup *setup);
