/* merge_main.h - `kafkatap merge A.json B.json ...`: one cluster report
 * from the --json reports of several hosts (report_merge.h). */
#ifndef KT_MERGE_MAIN_H
#define KT_MERGE_MAIN_H

/* argv[0] is "merge".  Returns the exit status: 0, 1 (an input could not
 * be read) or 2 (usage). */
int kt_merge_main(int argc, char **argv);

#endif
