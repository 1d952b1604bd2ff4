/* Benchmark publisher: sends COUNT pre-built token events from FILE (one JSON object per line, cycled) to
 * ENDPOINT as [topic "tokens", payload], as fast as the receiver takes them. XPUB with ZMQ_XPUB_NODROP waits
 * for the receiver's subscription and blocks instead of dropping at the high-water mark, so every message
 * sent is delivered: the measured rate is the receiver's. When the receiver is behind, a send is refused and
 * the publisher sleeps 20 µs before it tries again: spinning would take a core from the receiver it measures
 * (on two cores, half the machine). The 10 000 queued messages keep the receiver busy meanwhile.
 * With RATE, it sends at most RATE events per second instead (sleeping while ahead of the pace): a receiver
 * that keeps up then works with a short queue, as a provisioned daemon does.
 * Usage: publish ENDPOINT FILE COUNT [RATE] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

/* Sends one frame, waiting (not spinning) while the receiver's queues are full. */
static void send_frame(void *socket, const void *data, size_t size, int flags) {
    const struct timespec pause = {0, 20000};
    while (zmq_send(socket, data, size, flags | ZMQ_DONTWAIT) < 0) nanosleep(&pause, NULL);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 4 && argc != 5) { fprintf(stderr, "usage: publish ENDPOINT FILE COUNT [RATE]\n"); return 2; }
    long count = atol(argv[3]);
    double rate = argc == 5 ? atof(argv[4]) : 0;
    FILE *file = fopen(argv[2], "r");
    if (!file) { perror(argv[2]); return 1; }
    size_t capacity = 1 << 20, lines = 0;
    char **line = malloc(capacity * sizeof(char *));
    size_t *length = malloc(capacity * sizeof(size_t));
    char *buffer = NULL;
    size_t size = 0;
    ssize_t read;
    while ((read = getline(&buffer, &size, file)) > 0) {
        if (buffer[read - 1] == '\n') read--;
        if (lines == capacity) {
            capacity *= 2;
            line = realloc(line, capacity * sizeof(char *));
            length = realloc(length, capacity * sizeof(size_t));
        }
        line[lines] = malloc(read);
        memcpy(line[lines], buffer, read);
        length[lines++] = read;
    }
    fclose(file);
    void *context = zmq_ctx_new();
    void *socket = zmq_socket(context, ZMQ_XPUB);
    int one = 1, hwm = 10000;
    zmq_setsockopt(socket, ZMQ_XPUB_NODROP, &one, sizeof one);
    zmq_setsockopt(socket, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (zmq_connect(socket, argv[1]) != 0) { fprintf(stderr, "connect: %s\n", zmq_strerror(zmq_errno())); return 1; }
    char subscription[256];
    if (zmq_recv(socket, subscription, sizeof subscription, 0) < 0) { fprintf(stderr, "no subscriber\n"); return 1; }
    /* When sending starts (wall clock, seconds), for a receiver timed from here: loading the file above is
     * the publisher's own work, not the receiver's. */
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    fprintf(stderr, "sending %ld.%09ld\n", (long)wall.tv_sec, wall.tv_nsec);
    double start = now();
    for (long i = 0; i < count; i++) {
        /* Paced: every 64 events, wait until the pace allows the next ones (the clock read 64 times less). */
        if (rate > 0 && i % 64 == 0) {
            double due = start + i / rate, ahead = due - now();
            if (ahead > 0) {
                struct timespec pause = {(time_t)ahead, (long)((ahead - (time_t)ahead) * 1e9)};
                nanosleep(&pause, NULL);
            }
        }
        size_t k = (size_t)(i % (long)lines);
        send_frame(socket, "tokens", 6, ZMQ_SNDMORE);
        send_frame(socket, line[k], length[k], 0);
    }
    double elapsed = now() - start;
    printf("{\"sent\": %ld, \"seconds\": %.3f, \"per_second\": %.0f}\n", count, elapsed, count / elapsed);
    int linger = 60000;
    zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(socket);
    zmq_ctx_term(context);
    return 0;
}
