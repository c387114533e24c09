" Vim syntax file for mdlaunch.container(5) files and their drop-ins.
if exists("b:current_syntax")
  finish
endif

syn case ignore
syn match  mdlaunchComment  "^\s*[#;].*$"
syn match  mdlaunchSection  "^\s*\[\(Container\|Unit\|Service\|Install\)\]\s*$"
syn match  mdlaunchBadSection "^\s*\[\(\(Container\|Unit\|Service\|Install\)\]\)\@!.*\]\s*$"
syn match  mdlaunchUserKey  "^\s*X-[^=]*\ze="
syn keyword mdlaunchKey contained Command Tty Memory CPUShares MemorySwap CPUWeight CPUSet Hostname Environment Namespaces Name Capabilities AddCapabilities DropCapabilities AmbientCapabilities NoNewPrivileges User SupplementaryGroups WorkingDirectory PidsLimit LimitNOFILE LimitNPROC LimitCORE LimitFSIZE LimitSTACK LimitAS Init StopSignal StopTimeout Notify UserNS UIDMap GIDMap Rootfs Volume Tmpfs ReadOnly ReadOnlyTmpfs Network PublishPort DNS AddHost Mask Unmask SeccompProfile ShmSize AddDevice EnvironmentFile InheritEnvironment
syn match  mdlaunchKeyLine  "^\s*[A-Za-z]\+\s*\ze=" contains=mdlaunchKey
syn match  mdlaunchContinuation "\\\s*$"
syn region mdlaunchString start=+"+ skip=+\\.+ end=+"+ oneline
syn region mdlaunchString start=+'+ skip=+\\.+ end=+'+ oneline
syn keyword mdlaunchBool yes no true false on off max infinity

hi def link mdlaunchComment      Comment
hi def link mdlaunchSection      Type
hi def link mdlaunchBadSection   Error
hi def link mdlaunchKey          Identifier
hi def link mdlaunchUserKey      Special
hi def link mdlaunchContinuation Special
hi def link mdlaunchString       String
hi def link mdlaunchBool         Boolean

let b:current_syntax = "mdlaunch"
