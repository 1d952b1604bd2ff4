// The floor of parsing: simdjson's DOM parser over each line of a file of token events, copied into a padded
// buffer first as the daemon's parser does, and nothing else (no field read, no validation). Prints the CPU
// time per event. Usage: parse_only FILE
#include <simdjson.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

static double cpu_seconds() {
    timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 2) { std::fprintf(stderr, "usage: parse_only FILE\n"); return 2; }
    std::ifstream file(argv[1]);
    std::vector<std::string> lines;
    for (std::string line; std::getline(file, line);) lines.push_back(line);
    simdjson::dom::parser parser;
    if (parser.allocate(1 << 20, 64) != simdjson::SUCCESS) return 1;
    std::vector<uint8_t> buffer((1 << 20) + simdjson::SIMDJSON_PADDING);
    size_t parsed = 0;
    double start = cpu_seconds();
    for (const auto &line : lines) {
        if (line.size() > (1 << 20)) continue;
        std::memcpy(buffer.data(), line.data(), line.size());
        std::memset(buffer.data() + line.size(), 0, simdjson::SIMDJSON_PADDING);
        simdjson::dom::element root;
        if (parser.parse(buffer.data(), line.size(), false).get(root) == simdjson::SUCCESS) parsed++;
    }
    double elapsed = cpu_seconds() - start;
    std::printf("{\"stage\": \"simdjson DOM parse alone\", \"events\": %zu, \"parsed\": %zu, \"ns_per_event\": %.0f}\n",
                lines.size(), parsed, elapsed / lines.size() * 1e9);
    return 0;
}
