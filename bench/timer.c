/* SPDX-License-Identifier: MIT */
/*
 * timer.c: the measuring loop of `make bench`, so that every tool is started
 * the same way (fork + exec from a small process, CLOCK_MONOTONIC around
 * fork..waitpid) and no shell sits between the clock and the tool.
 *
 *   timer lat [-n ROUNDS] [-w WARMUP] [-s SEED] [-o RAW.tsv] [-L LOGDIR] [-f FLOOR] [-r REF] SPEC
 *       interleaved rounds, the tools in a new random order each round; prints
 *       median, p10, p90, ratios to FLOOR and REF, the median CPU time (user +
 *       system of the tool and every child it reaped, from wait4) and its
 *       ratios, failures.
 *   timer rss [-n RUNS] [-L LOGDIR] SPEC
 *       peak RSS (VmHWM) of the launcher process itself, read from
 *       /proc/PID/status at its ptrace exit stop (its children are not traced).
 *   timer par [-n STARTS] [-j PARALLEL] [-k REPEATS] [-s SEED] [-L LOGDIR] [-f FLOOR] SPEC
 *       STARTS starts with PARALLEL at a time per tool: wall time, failures.
 *
 * SPEC: one tool a line, fields separated by TABs: NAME, MNTNS, ARGV...
 * MNTNS is "-" or a /proc/PID/ns/mnt file the child setns()es into before
 * exec (crun's private cgroup-v1 mount namespace). "%u" in an argument is
 * replaced by a string unique to each start. A failure is any start that
 * does not exit 0 (NAME!N: exit N; NAME!*: any exit, not a signal); the
 * tools' stderr goes to LOGDIR/NAME.log. In lat and par the timer is the
 * child subreaper: a start ends when the tool and every process it left
 * behind (bwrap does not reap its sandbox's PID 1) have exited, and their
 * CPU time counts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXT 16
#define MAXA 64

struct tool {
	char name[64];
	char *argv[MAXA];
	int nsfd, logfd, fails, n;
	int expect; /* the exit status that counts as success: 0, or NAME!N; -1 (NAME!*): any exit
		     */
	double *ms, *cpu; /* wall and CPU (user + system of the tool and its reaped children) ms */
};

static struct tool tools[MAXT];
static int ntools, devnull;
static unsigned long seq;

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void load_spec(const char *file, const char *logdir)
{
	char line[4096], path[4096];
	FILE *f = fopen(file, "re");

	if (!f)
		perror(file), exit(2);
	while (fgets(line, sizeof line, f) && ntools < MAXT) {
		struct tool *t = &tools[ntools];
		char *save, *tok, *ns;
		int a = 0;

		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		snprintf(t->name, sizeof t->name, "%s", strtok_r(line, "\t", &save));
		if ((tok = strchr(t->name, '!'))) {
			*tok++ = '\0';
			t->expect = strcmp(tok, "*") ? atoi(tok) : -1;
		}
		ns = strtok_r(NULL, "\t", &save);
		while ((tok = strtok_r(NULL, "\t", &save)) && a < MAXA - 1)
			t->argv[a++] = strdup(tok);
		if (!ns || !a)
			fprintf(stderr, "timer: bad spec line for %s\n", t->name), exit(2);
		t->nsfd = strcmp(ns, "-") ? open(ns, O_RDONLY | O_CLOEXEC) : -1;
		if (strcmp(ns, "-") && t->nsfd < 0)
			perror(ns), exit(2);
		snprintf(path, sizeof path, "%s/%s.log", logdir, t->name);
		t->logfd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (t->logfd < 0)
			perror(path), exit(2);
		ntools++;
	}
	fclose(f);
}

/* fork + exec one start of @t; returns the pid. @trace: PTRACE_TRACEME first. */
static pid_t start(struct tool *t, int trace)
{
	char *argv[MAXA], uniq[64];
	pid_t p;

	snprintf(uniq, sizeof uniq, "%d-%lu", getpid(), seq++);
	for (int i = 0; t->argv[i]; i++) {
		char *u = strstr(t->argv[i], "%u");
		argv[i] = t->argv[i];
		if (u && asprintf(&argv[i], "%.*s%s%s", (int)(u - t->argv[i]), t->argv[i], uniq,
				  u + 2) < 0)
			exit(2);
		argv[i + 1] = NULL;
	}
	p = fork();
	if (p == 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(t->logfd, 2);
		if (t->nsfd >= 0 && setns(t->nsfd, CLONE_NEWNS))
			perror("timer: setns"), _exit(124);
		if (trace && ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			perror("timer: ptrace"), _exit(124);
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	for (int i = 0; t->argv[i]; i++)
		if (argv[i] != t->argv[i])
			free(argv[i]);
	if (p < 0)
		perror("fork"), exit(2);
	return p;
}

static int ok(const struct tool *t, int status)
{
	return WIFEXITED(status) && (t->expect < 0 || WEXITSTATUS(status) == t->expect);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* nearest-rank percentile of a sorted array */
static double pct(const double *v, int n, int p)
{
	int i = (p * n + 99) / 100 - 1;
	return n ? v[i < 0 ? 0 : i] : 0;
}

static struct tool *find(const char *name)
{
	for (int i = 0; name && i < ntools; i++)
		if (!strcmp(tools[i].name, name))
			return &tools[i];
	return NULL;
}

static void shuffle(int *order)
{
	for (int i = 0; i < ntools; i++)
		order[i] = i;
	for (int i = ntools - 1; i > 0; i--) {
		int j = rand() % (i + 1), x = order[i];
		order[i] = order[j], order[j] = x;
	}
}

static void ratio(double a, const struct tool *ref, double refmed)
{
	if (ref && ref->n && refmed > 0)
		printf(" %6.2fx |", a / refmed);
	else
		printf("      - |");
}

static int lat(int rounds, int warmup, const char *raw, const char *floorname, const char *refname)
{
	FILE *rf = raw ? fopen(raw, "we") : NULL;
	struct tool *fl = find(floorname), *ref = find(refname);
	double flmed = 0, refmed = 0;
	int order[MAXT];

	if (rf)
		fprintf(rf, "round\ttool\tms\tcpu_ms\tstatus\n");
	for (int i = 0; i < ntools; i++) {
		tools[i].ms = calloc(rounds, sizeof(double));
		tools[i].cpu = calloc(rounds, sizeof(double));
	}
	for (int r = -warmup; r < rounds; r++) {
		shuffle(order);
		for (int k = 0; k < ntools; k++) {
			struct tool *t = &tools[order[k]];
			int status;
			struct rusage ru;
			double t0 = now_ms(), ms, cpu;
			pid_t p = start(t, 0);

			/* until the tool and every orphan it left (we are their subreaper) are gone
			 */
			pid_t q;
			int st;
			cpu = 0;
			while ((q = wait4(-1, &st, 0, &ru)) > 0 || errno == EINTR) {
				if (q <= 0)
					continue;
				if (q == p)
					status = st;
				cpu += (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
				       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
			}
			ms = now_ms() - t0;
			if (r < 0)
				continue;
			if (rf)
				fprintf(rf, "%d\t%s\t%.4f\t%.4f\t%d\n", r, t->name, ms, cpu,
					status);
			if (ok(t, status)) {
				t->cpu[t->n] = cpu;
				t->ms[t->n++] = ms;
			} else {
				t->fails++;
			}
		}
	}
	if (rf)
		fclose(rf);
	for (int i = 0; i < ntools; i++) {
		qsort(tools[i].ms, tools[i].n, sizeof(double), cmp);
		qsort(tools[i].cpu, tools[i].n, sizeof(double), cmp);
	}
	double flcpu = fl ? pct(fl->cpu, fl->n, 50) : 0,
	       refcpu = ref ? pct(ref->cpu, ref->n, 50) : 0;
	if (fl)
		flmed = pct(fl->ms, fl->n, 50);
	if (ref)
		refmed = pct(ref->ms, ref->n, 50);
	printf("| tool | median ms | p10 ms | p90 ms | vs %s | vs %s | CPU ms | CPU vs %s | CPU vs "
	       "%s | failures |\n",
	       floorname ? floorname : "-", refname ? refname : "-", floorname ? floorname : "-",
	       refname ? refname : "-");
	printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (int i = 0; i < ntools; i++) {
		struct tool *t = &tools[i];
		if (!t->n) {
			printf("| %s | - | - | - | - | - | - | - | - | %d/%d |\n", t->name,
			       t->fails, rounds);
			continue;
		}
		double med = pct(t->ms, t->n, 50), cpu = pct(t->cpu, t->n, 50);
		printf("| %s | %6.2f | %6.2f | %6.2f |", t->name, med, pct(t->ms, t->n, 10),
		       pct(t->ms, t->n, 90));
		ratio(med, fl, flmed);
		ratio(med, ref, refmed);
		printf(" %5.2f |", cpu);
		ratio(cpu, fl, flcpu);
		ratio(cpu, ref, refcpu);
		printf(" %d/%d |\n", t->fails, rounds);
	}
	return 0;
}

/* VmHWM (KiB) of a traced child, at its exit stop; -1 if the start failed.
 * *anon, *file: its RssAnon and RssFile (KiB) at that moment. */
static long hwm_one(struct tool *t, long *anon, long *file)
{
	long hwm = -1;
	int status;
	pid_t p = start(t, 1);

	for (;;) {
		if (waitpid(p, &status, 0) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return ok(t, status) ? hwm : -1;
		if (!WIFSTOPPED(status))
			continue;
		int sig = WSTOPSIG(status), ev = status >> 16, fwd = 0;
		if (sig == SIGTRAP && ev == 0 && hwm == -1) { /* the exec stop */
			ptrace(PTRACE_SETOPTIONS, p, NULL, (void *)PTRACE_O_TRACEEXIT);
			hwm = 0;
		} else if (sig == SIGTRAP && ev == PTRACE_EVENT_EXIT) {
			char path[64], line[256];
			snprintf(path, sizeof path, "/proc/%d/status", p);
			FILE *f = fopen(path, "re");
			while (f && fgets(line, sizeof line, f))
				if (!strncmp(line, "VmHWM:", 6))
					hwm = atol(line + 6);
				else if (!strncmp(line, "RssAnon:", 8))
					*anon = atol(line + 8);
				else if (!strncmp(line, "RssFile:", 8))
					*file = atol(line + 8);
			if (f)
				fclose(f);
		} else if (sig != SIGTRAP) {
			fwd = sig;
		}
		ptrace(PTRACE_CONT, p, NULL, (void *)(long)fwd);
	}
}

static int rss(int runs)
{
	printf("| tool | peak RSS MiB (median) | min | max | at exit: anon MiB | at exit: file MiB "
	       "| failures |\n"
	       "|---|---:|---:|---:|---:|---:|---:|\n");
	for (int i = 0; i < ntools; i++) {
		struct tool *t = &tools[i];
		double *anon = calloc(runs, sizeof(double)), *file = calloc(runs, sizeof(double));
		t->ms = calloc(runs, sizeof(double));
		for (int r = 0; r < runs; r++) {
			long a = 0, f = 0, k = hwm_one(t, &a, &f);
			if (k > 0) {
				anon[t->n] = a / 1024.0, file[t->n] = f / 1024.0;
				t->ms[t->n++] = k / 1024.0;
			} else {
				t->fails++;
			}
		}
		qsort(t->ms, t->n, sizeof(double), cmp);
		qsort(anon, t->n, sizeof(double), cmp);
		qsort(file, t->n, sizeof(double), cmp);
		if (t->n)
			printf("| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %d/%d |\n", t->name,
			       pct(t->ms, t->n, 50), t->ms[0], t->ms[t->n - 1], pct(anon, t->n, 50),
			       pct(file, t->n, 50), t->fails, runs);
		else
			printf("| %s | - | - | - | - | - | %d/%d |\n", t->name, t->fails, runs);
		free(anon);
		free(file);
	}
	return 0;
}

/* @starts starts of @t, at most @par at once; returns the wall time in ms. */
static double par_one(struct tool *t, int starts, int par, int *fails)
{
	int running = 0, launched = 0, status;
	pid_t *pids = calloc(starts, sizeof(pid_t)), q;
	double t0 = now_ms();

	/* until every start and every orphan it left (we are their subreaper) are gone */
	while ((q = wait(&status)) > 0 || errno == EINTR || launched < starts) {
		while (running < par && launched < starts) {
			pids[launched++] = start(t, 0);
			running++;
		}
		if (q <= 0)
			continue;
		for (int i = 0; i < launched; i++)
			if (pids[i] == q) { /* one of ours, not an orphan */
				running--;
				if (!ok(t, status))
					(*fails)++;
			}
	}
	free(pids);
	return now_ms() - t0;
}

static int par(int starts, int j, int reps, const char *floorname)
{
	struct tool *fl = find(floorname);
	int order[MAXT], total = 0;

	for (int i = 0; i < ntools; i++)
		tools[i].ms = calloc(reps, sizeof(double));
	for (int r = 0; r < reps; r++) {
		shuffle(order);
		for (int k = 0; k < ntools; k++) {
			struct tool *t = &tools[order[k]];
			t->ms[t->n++] = par_one(t, starts, j, &t->fails);
		}
	}
	for (int i = 0; i < ntools; i++)
		qsort(tools[i].ms, tools[i].n, sizeof(double), cmp);
	printf("| tool | wall ms (median of %d) | min | max | vs %s | failures "
	       "|\n|---|---:|---:|---:|---:|---:|\n",
	       reps, floorname ? floorname : "-");
	for (int i = 0; i < ntools; i++) {
		struct tool *t = &tools[i];
		double med = pct(t->ms, t->n, 50);
		printf("| %s | %.0f | %.0f | %.0f |", t->name, med, t->ms[0], t->ms[t->n - 1]);
		ratio(med, fl, fl ? pct(fl->ms, fl->n, 50) : 0);
		printf(" %d/%d |\n", t->fails, starts * reps);
		total += t->fails;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *raw = NULL, *logdir = ".", *floorname = NULL, *refname = NULL, *mode;
	int n = 0, w = 5, j = 16, k = 3, c;
	unsigned seed = (unsigned)time(NULL);

	if (argc < 2)
		return fprintf(stderr, "usage: timer lat|rss|par [OPTIONS] SPEC\n"), 2;
	mode = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "n:w:s:o:L:f:r:j:k:")) >= 0) {
		switch (c) {
		case 'n':
			n = atoi(optarg);
			break;
		case 'w':
			w = atoi(optarg);
			break;
		case 's':
			seed = strtoul(optarg, NULL, 0);
			break;
		case 'o':
			raw = optarg;
			break;
		case 'L':
			logdir = optarg;
			break;
		case 'f':
			floorname = optarg;
			break;
		case 'r':
			refname = optarg;
			break;
		case 'j':
			j = atoi(optarg);
			break;
		case 'k':
			k = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 1)
		return fprintf(stderr, "timer: one SPEC file expected\n"), 2;
	srand(seed);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	load_spec(argv[optind], logdir);
	if (strcmp(mode, "rss"))
		prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (!strcmp(mode, "lat"))
		return lat(n > 0 ? n : 200, w, raw, floorname, refname);
	if (!strcmp(mode, "rss"))
		return rss(n > 0 ? n : 5);
	if (!strcmp(mode, "par"))
		return par(n > 0 ? n : 100, j, k, floorname);
	return fprintf(stderr, "timer: unknown mode %s\n", mode), 2;
}
