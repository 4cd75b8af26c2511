# Shared compile settings for every Simpul target: warnings are errors, and the
# sanitizer build instruments everything we compile ourselves.
function(simpul_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
  if(SIMPUL_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      # Two GCC 12 false positives that only the instrumented -O1 build shows
      # (the Release build keeps both warnings on as errors):
      #  - Asio's awaitable frames pair a class-specific operator new
      #    (aligned_alloc) with their own operator delete; the inliner misreads
      #    it as mismatched;
      #  - std::regex's internal std::function members "may be used
      #    uninitialized" inside libstdc++ (tests use std::regex).
      target_compile_options(${target} PRIVATE -Wno-mismatched-new-delete -Wno-maybe-uninitialized)
    endif()
  endif()
  if(SIMPUL_FUZZ)
    # libFuzzer coverage on our code; the fuzz targets themselves add -fsanitize=fuzzer.
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
endfunction()

# One library per top-level folder: every .cpp below the folder belongs to it
# (tools/ and main.cpp excluded), so adding a file needs no CMake edit.
function(simpul_folder_library name folder)
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${folder}/*.cpp)
  list(FILTER srcs EXCLUDE REGEX "/main\\.cpp$")
  list(FILTER srcs EXCLUDE REGEX "/fuzz_[^/]*\\.cpp$")
  add_library(${name} STATIC ${srcs})
  simpul_target_defaults(${name})
endfunction()
