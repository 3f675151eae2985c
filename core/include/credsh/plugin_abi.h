/* The plugin ABI for C code: the same header as plugin_abi.hpp, which compiles as C11 and as C++17 (see there
 * and docs/plugins.md). Nothing is defined here, so the two can never disagree. */
#pragma once

#include "plugin_abi.hpp"
