/* Checks the API tests share: a call that must succeed, and one that must
 * fail with a given status and a message.  Each declares `err` for the
 * call. */
#ifndef TC_API_TEST_H
#define TC_API_TEST_H

#define OK(call)                                                                        \
    do {                                                                                \
        tc_error e_ = {0};                                                              \
        tc_error *err = &e_;                                                            \
        if ((call) != TC_OK)                                                            \
            fail_msg("%s: %s", #call, e_.msg);                                          \
    } while (0)

#define FAILS(want, call)                                                               \
    do {                                                                                \
        tc_error e_ = {0};                                                              \
        tc_error *err = &e_;                                                            \
        tc_status s_ = (call);                                                          \
        if (s_ != (want) || e_.msg[0] == '\0')                                          \
            fail_msg("%s: status %d (want %d), message '%s'", #call, s_, want, e_.msg);  \
    } while (0)

#endif
