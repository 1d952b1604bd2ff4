/* The ceiling: a minimal libzmq receiver that only counts messages, with the daemon's socket settings (SUB
 * bound, subscribed to "tokens", receive high-water mark 100000). Prints the rate from the first message to
 * the COUNT-th. Usage: receive ENDPOINT COUNT */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zmq.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: receive ENDPOINT COUNT\n"); return 2; }
    long count = atol(argv[2]);
    void *context = zmq_ctx_new();
    void *socket = zmq_socket(context, ZMQ_SUB);
    int hwm = 100000;
    zmq_setsockopt(socket, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(socket, ZMQ_SUBSCRIBE, "tokens", 6);
    if (zmq_bind(socket, argv[1]) != 0) { fprintf(stderr, "bind: %s\n", zmq_strerror(zmq_errno())); return 1; }
    printf("ready\n");
    fflush(stdout);
    zmq_msg_t message;
    zmq_msg_init(&message);
    double start = 0;
    long received = 0;
    while (received < count) {
        if (zmq_msg_recv(&message, socket, 0) < 0) continue;
        int more = zmq_msg_more(&message);
        if (!more) {
            if (received == 0) start = now();
            received++;
        }
    }
    double elapsed = now() - start;
    printf("{\"received\": %ld, \"seconds\": %.3f, \"per_second\": %.0f}\n", received, elapsed, (received - 1) / elapsed);
    zmq_msg_close(&message);
    zmq_close(socket);
    zmq_ctx_term(context);
    return 0;
}
