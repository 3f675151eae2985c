# The plugin SDK (docs/plugins.md): what `cmake --install` puts under the prefix so that a plugin can be built
# outside this tree, against nothing but the installed files.
#   include/credsh/plugin_abi.hpp (C11 and C++17) and its C twin plugin_abi.h;
#   LIBDIR/pkgconfig/credsh-plugin.pc          pkg-config --cflags credsh-plugin; --variable=plugindir;
#   LIBDIR/cmake/credsh/credshConfig.cmake     find_package(credsh): credsh::plugin_abi, credsh_add_plugin().
# Both metadata files find the prefix relative to themselves, so `cmake --install --prefix P` (and a moved
# prefix) give paths under P. Only the ABI header is installed: policy.hpp and base/ are the host's.
include(CMakePackageConfigHelpers)

set(CREDSH_SDK_INCLUDE_DIR ${CMAKE_INSTALL_INCLUDEDIR})
set(CREDSH_PKGCONFIG_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
set(CREDSH_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/credsh)
# From each metadata file's directory back up to the prefix.
file(RELATIVE_PATH CREDSH_PC_TO_PREFIX /prefix/${CREDSH_PKGCONFIG_DIR} /prefix)
file(RELATIVE_PATH CREDSH_CMAKE_TO_PREFIX /prefix/${CREDSH_CMAKE_DIR} /prefix)

install(FILES ${PROJECT_SOURCE_DIR}/core/include/credsh/plugin_abi.hpp
  ${PROJECT_SOURCE_DIR}/core/include/credsh/plugin_abi.h
  DESTINATION ${CREDSH_SDK_INCLUDE_DIR}/credsh COMPONENT sdk)

configure_file(${PROJECT_SOURCE_DIR}/cmake/sdk/credsh-plugin.pc.in ${PROJECT_BINARY_DIR}/sdk/credsh-plugin.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/sdk/credsh-plugin.pc DESTINATION ${CREDSH_PKGCONFIG_DIR} COMPONENT sdk)

configure_file(${PROJECT_SOURCE_DIR}/cmake/sdk/credshConfig.cmake.in ${PROJECT_BINARY_DIR}/sdk/credshConfig.cmake
  @ONLY)
# The ABI, not credsh's release number, is what a plugin depends on; the version file still lets a project
# ask for a minimum credsh (for a reply key or an operation added later within ABI 1).
write_basic_package_version_file(${PROJECT_BINARY_DIR}/sdk/credshConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/sdk/credshConfig.cmake ${PROJECT_BINARY_DIR}/sdk/credshConfigVersion.cmake
  DESTINATION ${CREDSH_CMAKE_DIR} COMPONENT sdk)
