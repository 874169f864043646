# bash completion for meshpad(1). Installed as
# /usr/share/bash-completion/completions/meshpad (loaded on demand by
# bash-completion). Flags as `meshpad <command> --help` lists them, in the
# single-dash form the README and consul use.

# _meshpad_add COMPGEN-ARGS…: appends compgen's words for $cur to COMPREPLY
# (one a line, so file names with spaces stay whole).
_meshpad_add()
{
    mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen "$@" -- "$cur")
}

# Designs (*.meshpad) and directories to find them in.
_meshpad_designs()
{
    compopt -o filenames 2>/dev/null
    _meshpad_add -f -X '!*.meshpad'
    _meshpad_add -d
}

_meshpad()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    COMPREPLY=()
    local commands="validate generate ca proxy lab plan deploy teardown import hashibox help"
    local command=${words[1]-} sub=${words[2]-}
    local targets="lab environment hashibox"

    # Values of options that take one.
    case $prev in
        -o | --output | -dir | --dir | -ca-dir | --ca-dir)
            compopt -o filenames 2>/dev/null
            if [[ $command == import && ($prev == -o || $prev == --output) ]]; then
                _meshpad_designs
            else
                _meshpad_add -d
            fi
            return
            ;;
        -csr | --csr | -out | --out | -var-file | --var-file)
            compopt -o filenames 2>/dev/null
            _meshpad_add -f
            return
            ;;
        -target | --target)
            _meshpad_add -W "$targets"
            return
            ;;
        -log-level | --log-level)
            _meshpad_add -W "trace debug info warn error"
            return
            ;;
        -trust-domain | --trust-domain | -datacenter | --datacenter | -service | --service | -ttl | --ttl | \
            -listen | --listen | -service-addr | --service-addr | -upstream | --upstream | -allow | --allow | \
            -deny | --deny | -max-connections | --max-connections | -sidecar-for | --sidecar-for | \
            -proxy-id | --proxy-id | -http-addr | --http-addr | -token | --token | -deadline | --deadline | \
            -timeout | --timeout | -var | --var | -job | --job | -name | --name | -consul-addr | \
            --consul-addr | -nomad-addr | --nomad-addr)
            return
            ;;
    esac

    if ((cword == 1)); then
        if [[ $cur == -* ]]; then
            _meshpad_add -W "--help --version"
        else
            _meshpad_add -W "$commands"
            _meshpad_designs
        fi
        return
    fi

    local flags="" files=design
    case $command in
        validate) flags="--json" ;;
        generate) flags="-o --output --force" ;;
        ca)
            if ((cword == 2)); then
                _meshpad_add -W "init leaf sign"
                return
            fi
            files=none
            case $sub in
                init) flags="-dir -trust-domain -datacenter -force" ;;
                leaf) flags="-dir -service -ttl -datacenter" ;;
                sign) flags="-dir -csr -out -ttl -datacenter" ;;
            esac
            ;;
        proxy)
            files=none
            flags="-ca-dir -service -listen -service-addr -upstream -allow -deny -default-deny -datacenter
                   -max-connections -sidecar-for -proxy-id -http-addr -token -log-level"
            ;;
        lab)
            if ((cword == 2)); then
                _meshpad_add -W "up status env"
                return
            fi
            case $sub in
                up) flags="-json" ;;
                status) flags="-json"; files=none ;;
                *) files=none ;;
            esac
            ;;
        plan) flags="-target -json" ;;
        deploy) flags="-target -auto-approve -detach -deadline -json" ;;
        teardown) flags="-target -auto-approve -deadline -json" ;;
        import)
            flags="-var -var-file -target -job -timeout -o --output --name --force"
            files=any
            ;;
        hashibox)
            if ((cword == 2)); then
                _meshpad_add -W "up status destroy"
                return
            fi
            files=none
            flags="-dir -json -timeout"
            [[ $sub == destroy ]] || flags+=" -consul-addr -nomad-addr"
            ;;
        *) return ;;
    esac

    if [[ $cur == -* ]]; then
        _meshpad_add -W "$flags --help"
        return
    fi
    case $files in
        design) _meshpad_designs ;;
        any)
            compopt -o filenames 2>/dev/null
            _meshpad_add -f
            ;;
    esac
} &&
    complete -F _meshpad meshpad

# ex: filetype=sh
