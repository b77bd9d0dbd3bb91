// Stand-alone driver for a libFuzzer target: runs LLVMFuzzerTestOneInput over every
// file of the directories (or files) given as arguments. Lets the corpus run as a
// plain regression test without clang's libFuzzer.
#include <dirent.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

bool run_file(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
        std::fprintf(stderr, "cannot open %s\n", path.c_str());
        return false;
    }
    std::vector<uint8_t> bytes;
    uint8_t buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.insert(bytes.end(), buf, buf + n);
    std::fclose(f);
    // An exact-size heap copy, so a sanitizer build catches reads past the end.
    std::vector<uint8_t> exact(bytes.begin(), bytes.end());
    LLVMFuzzerTestOneInput(exact.data(), exact.size());
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s <corpus dir or file>...\n", argv[0]);
        return 2;
    }
    unsigned files = 0;
    for (int i = 1; i < argc; ++i) {
        struct stat st {};
        if (stat(argv[i], &st) != 0) {
            std::fprintf(stderr, "no such path: %s\n", argv[i]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (!run_file(argv[i])) return 1;
            ++files;
            continue;
        }
        DIR* dir = opendir(argv[i]);
        if (dir == nullptr) return 1;
        while (const dirent* e = readdir(dir)) {
            const std::string name = e->d_name;
            const std::string path = std::string(argv[i]) + "/" + name;
            if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
            // A corpus may keep the script that generates its seeds: not an input.
            if (name.size() > 3 && name.compare(name.size() - 3, 3, ".py") == 0) continue;
            if (!run_file(path)) return 1;
            ++files;
        }
        closedir(dir);
    }
    std::printf("ran %u inputs\n", files);
    return files == 0 ? 1 : 0;
}
