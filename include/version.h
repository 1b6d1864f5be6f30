#ifndef BANDOC_VERSION_H
#define BANDOC_VERSION_H
#define BANDOC_VERSION "0.1.0"
#endif
