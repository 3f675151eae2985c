# Builds credsh(1) from the binary's own help texts, so the manual page and `--help` cannot drift:
# help2man turns `credsh --help` and `--version` into the page, and this script adds a COMMANDS section with
# every subcommand's `credsh CMD --help`, read from the command list that `credsh --help` prints.
#   cmake -DCREDSH=<binary> -DHELP2MAN=<help2man> -DEXTRA=<static sections> -DWORK=<dir> -DOUT=<credsh.1> -P manpage.cmake
execute_process(COMMAND ${CREDSH} --help OUTPUT_VARIABLE top RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "credsh --help failed (${rc})")
endif()

# The command table: two spaces, a name, two or more spaces, the summary; it ends at the first blank line.
string(REPLACE "\n" ";" lines "${top}")
set(in_commands FALSE)
set(commands)
foreach(line IN LISTS lines)
  if(line STREQUAL "commands:")
    set(in_commands TRUE)
  elseif(in_commands)
    if(line MATCHES "^  ([a-z][a-z-]*)  +")
      list(APPEND commands ${CMAKE_MATCH_1})
    elseif(line STREQUAL "")
      break()
    endif()
  endif()
endforeach()
list(LENGTH commands n)
if(n EQUAL 0)
  message(FATAL_ERROR "no commands found in credsh --help")
endif()

# roff: a backslash is \e, and a line may not start with . or ' (a request).
function(roff_escape text outvar)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${outvar} "${text}" PARENT_SCOPE)
endfunction()

file(READ ${EXTRA} body)
string(APPEND body "[COMMANDS]\n")
foreach(cmd IN LISTS commands)
  execute_process(COMMAND ${CREDSH} ${cmd} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "credsh ${cmd} --help failed (${rc})")
  endif()
  roff_escape("${help}" help)
  string(APPEND body ".SS \"credsh ${cmd}\"\n.nf\n${help}.fi\n")
endforeach()
file(WRITE ${WORK}/commands.h2m "${body}")

execute_process(
  COMMAND ${HELP2MAN} --no-info --section=1 --source=credsh
          "--name=the right cloud credentials in the right shell"
          --include=${WORK}/commands.h2m --output=${OUT} ${CREDSH}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "help2man failed (${rc})")
endif()
