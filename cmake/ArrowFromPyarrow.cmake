# Apache Arrow's C++ libraries (the `parquet` format) as the `pyarrow` wheel
# ships them: Debian 12 has no Arrow package, and the wheel is Apache's own
# build, with headers. scripts/install-deps.sh installs the pinned version.
#
# Defines the imported target k2c_arrow and copies the two shared libraries
# the project uses into <build>/lib, next to the binaries that load them
# through the RUNPATH $ORIGIN/lib (so a build directory or an installed
# bin/ + lib/ pair runs without Python on the library path).

set(K2C_PYTHON "python3" CACHE STRING "Python with pyarrow installed (for Arrow's C++ libraries)")
execute_process(
  COMMAND ${K2C_PYTHON} -c
    "import pyarrow; print(pyarrow.__version__); print(pyarrow.get_include()); print(pyarrow.get_library_dirs()[0])"
  OUTPUT_VARIABLE _k2c_pyarrow OUTPUT_STRIP_TRAILING_WHITESPACE
  RESULT_VARIABLE _k2c_pyarrow_rc ERROR_QUIET)
if(NOT _k2c_pyarrow_rc EQUAL 0)
  message(FATAL_ERROR
    "The parquet format needs Apache Arrow's C++ libraries from the pyarrow wheel, but "
    "'${K2C_PYTHON} -c \"import pyarrow\"' failed. Run scripts/install-deps.sh (it installs "
    "the pinned pyarrow), or set -DK2C_PYTHON to a Python that has it.")
endif()
string(REPLACE "\n" ";" _k2c_pyarrow "${_k2c_pyarrow}")
list(GET _k2c_pyarrow 0 K2C_PYARROW_VERSION)
list(GET _k2c_pyarrow 1 K2C_ARROW_INCLUDE_DIR)
list(GET _k2c_pyarrow 2 K2C_ARROW_LIB_DIR)
# 26.0.1 -> the libraries' SONAME suffix 2600.
string(REGEX MATCH "^([0-9]+)\\.([0-9]+)" _k2c_v "${K2C_PYARROW_VERSION}")
math(EXPR K2C_ARROW_SO_VERSION "${CMAKE_MATCH_1} * 100 + ${CMAKE_MATCH_2}")
message(STATUS "Arrow C++ ${K2C_PYARROW_VERSION} from pyarrow: ${K2C_ARROW_LIB_DIR}")

set(K2C_ARROW_RUNTIME_DIR "${CMAKE_BINARY_DIR}/lib")
file(MAKE_DIRECTORY "${K2C_ARROW_RUNTIME_DIR}")
set(_k2c_arrow_libs)
foreach(_lib arrow parquet)
  set(_so "lib${_lib}.so.${K2C_ARROW_SO_VERSION}")
  if(NOT EXISTS "${K2C_ARROW_LIB_DIR}/${_so}")
    message(FATAL_ERROR "pyarrow ${K2C_PYARROW_VERSION} has no ${_so} in ${K2C_ARROW_LIB_DIR}")
  endif()
  file(COPY "${K2C_ARROW_LIB_DIR}/${_so}" DESTINATION "${K2C_ARROW_RUNTIME_DIR}")
  list(APPEND _k2c_arrow_libs "${K2C_ARROW_RUNTIME_DIR}/${_so}")
endforeach()

add_library(k2c_arrow INTERFACE)
# SYSTEM: Arrow's headers are not ours to hold to -Werror.
target_include_directories(k2c_arrow SYSTEM INTERFACE "${K2C_ARROW_INCLUDE_DIR}")
target_link_libraries(k2c_arrow INTERFACE ${_k2c_arrow_libs})
set(CMAKE_BUILD_RPATH "\$ORIGIN/lib;\$ORIGIN/../lib")
set(CMAKE_INSTALL_RPATH "\$ORIGIN/../lib")
