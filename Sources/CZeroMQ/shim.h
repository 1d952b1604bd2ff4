#ifndef TOKENWATCH_CZEROMQ_SHIM_H
#define TOKENWATCH_CZEROMQ_SHIM_H
#include <zmq.h>
#endif
