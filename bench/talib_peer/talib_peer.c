/* TA-Lib's own C functions timed on the same 1 M-point random walk as bench/indicators_bench.cc:
 * the peer for indicator update cost. Built by bench/run_indicator_bench.sh against TA-Lib's C
 * source from the npm package tools/talib-golden installs (never committed). Prints ns/value. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ta_libc.h"

enum { N = 1000000, REPS = 20 };

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Same generator as the C++ bench's std::mt19937_64 is not reproducible in C cheaply; a
 * geometric random walk with the same volatility and cent grid is equivalent for timing. */
static uint64_t state = 4;
static double uniform(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return (double)(state >> 11) / 9007199254740992.0;
}

int main(void) {
  double* in = malloc(sizeof(double) * N);
  double *o1 = malloc(sizeof(double) * N), *o2 = malloc(sizeof(double) * N),
         *o3 = malloc(sizeof(double) * N);
  double p = 187.25;
  for (int i = 0; i < N; i++) {
    double g = sqrt(-2 * log(fmax(uniform(), 1e-12))) * cos(2 * M_PI * uniform());
    p *= exp(0.0008 * g);
    in[i] = round(p * 100) / 100;
  }
  TA_Initialize();
  const char* names[] = {"TA_EMA(12)", "TA_MACD(12,26,9)", "TA_RSI(14)", "TA_BBANDS(20,2,2)"};
  for (int f = 0; f < 4; f++) {
    double best = 1e300;
    for (int r = 0; r < REPS; r++) {
      int beg = 0, nb = 0;
      double t0 = now_ns();
      switch (f) {
        case 0:
          TA_EMA(0, N - 1, in, 12, &beg, &nb, o1);
          break;
        case 1:
          TA_MACD(0, N - 1, in, 12, 26, 9, &beg, &nb, o1, o2, o3);
          break;
        case 2:
          TA_RSI(0, N - 1, in, 14, &beg, &nb, o1);
          break;
        case 3:
          TA_BBANDS(0, N - 1, in, 20, 2, 2, TA_MAType_SMA, &beg, &nb, o1, o2, o3);
          break;
      }
      double t = now_ns() - t0;
      if (t < best) best = t;
      if (nb <= 0) {
        fprintf(stderr, "%s produced nothing\n", names[f]);
        return 1;
      }
    }
    printf("%-18s %.2f ns/value (best of %d)\n", names[f], best / N, REPS);
  }
  TA_Shutdown();
  return 0;
}
