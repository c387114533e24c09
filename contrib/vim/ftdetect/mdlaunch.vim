" mdlaunch(1) container definitions and their drop-ins.
" Install: copy contrib/vim/ftdetect and contrib/vim/syntax into ~/.vim/
au BufNewFile,BufRead *.container setfiletype mdlaunch
au BufNewFile,BufRead *.container.d/*.conf setfiletype mdlaunch
