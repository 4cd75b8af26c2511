#include "adapter/cli.hpp"

int main(int argc, char** argv) { return simpul::adapter::run_cli(argc, argv); }
