/*
 * Mapping what a record says to what the knowledge base knows: condition
 * codes and words to concepts, medication codes and names to classes.
 * Codes win over display text.
 */
#ifndef LDN_CODES_H
#define LDN_CODES_H

#include <stdbool.h>
#include <stdint.h>

#include "../kb/kb_impl.h"
#include "../patient.h"

/* Concepts (bit per kb concept) for a condition. */
uint64_t codes_condition(const struct ldn_kb *kb, enum cond_system sys,
    const char *code, const char *display);

/* The class a free text names (a medication's name, or a diagnosis that
 * mentions one); MC_NONE for none.  dose_ug gets a naltrexone strength. */
enum med_class codes_name_class(const struct ldn_kb *kb, const char *text,
    int32_t *dose_ug);

/* Whether text names an opioid other than by the whole word `word`
 * (lower case): "hydromorphone (not morphine)" does, besides "morphine";
 * "acetaminophen / hydrocodone bitartrate" does not, besides
 * "hydrocodone". */
bool codes_other_opioid(const struct ldn_kb *kb, const char *text,
    const char *word);

/* Fill cls, dose_ug, code_display, conflict and name_cls of m from its
 * rxnorm code and name. */
void codes_medication(const struct ldn_kb *kb, struct medication *m);

#endif
