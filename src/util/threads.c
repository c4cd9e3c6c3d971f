/* Fork-join over a fixed set of calls (see util.h). */
#include "util/util.h"

#include <pthread.h>

void tc_run_threads(void *(*fn)(void *), void *args, size_t size, int n)
{
    pthread_t tid[TC_MAX_THREADS];
    bool started[TC_MAX_THREADS] = {false};
    uint8_t *a = args;
    if (n > TC_MAX_THREADS)
        n = TC_MAX_THREADS;
    for (int i = 1; i < n; i++)
        started[i] = pthread_create(&tid[i], NULL, fn, a + (size_t)i * size) == 0;
    if (n > 0)
        fn(a);
    for (int i = 1; i < n; i++) {
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            fn(a + (size_t)i * size);        /* its thread could not start */
    }
}
