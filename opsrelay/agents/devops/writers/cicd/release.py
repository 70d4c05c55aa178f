"""Release jobs for software that is distributed, not deployed (GitHub Actions).

A library publishes a package to its registry; a command-line tool builds binaries per OS/arch on
native runners; a mobile app builds store binaries and uploads them to the stores' testing tracks,
then a manual, approved job promotes a staged-rollout percentage; a desktop app builds installers
per OS for the beta channel and an approved job moves them to stable; embedded software builds a
signed image and hands it to the OTA service for the canary group, then waves. Every release is
checksummed and signed with Sigstore (keyless, through the workflow's OIDC identity), needs the
test job, runs only on a version tag and publishes to users only from the ``production``
environment (required reviewers). All actions are pinned by commit SHA.
"""

from __future__ import annotations

from opsrelay.agents.devops import kinds
from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import Decisions, RuntimeDecision, RuntimeLanguage
from opsrelay.agents.devops.writers.cicd.commands import ci_test_commands
from opsrelay.agents.devops.writers.cicd.toolchains import setup_steps
from opsrelay.agents.devops.writers.cicd.yamltext import checkout_steps, run_step, safe_cmd

ON_TAG = "    if: startsWith(github.ref, 'refs/tags/v')"

# Package a library (or interpreted tool) into dist/ per language; git archive when nothing else.
_PACKAGE: dict[RuntimeLanguage, str] = {
    "python": "pipx run build --outdir dist",
    "node": "npm pack --pack-destination dist",
    "bun": "npm pack --pack-destination dist",
    "rust": "cargo package --locked && cp target/package/*.crate dist/",
    "java": "./mvnw -B -ntp package -DskipTests && cp target/*.jar dist/",
    "kotlin": "./gradlew --no-daemon assemble && cp build/libs/*.jar dist/",
    "dotnet": "dotnet pack --configuration Release --output dist",
    "ruby": "gem build ./*.gemspec && mv ./*.gem dist/",
}


def _archive(name: str) -> str:
    return (
        f'git archive --format=tar.gz --prefix="{name}-$GITHUB_REF_NAME/" --output '
        f'"dist/{name}-$GITHUB_REF_NAME.tar.gz" "$GITHUB_REF_NAME"'
    )


def package_command(lang: RuntimeLanguage, name: str) -> str:
    """Shell line that puts the package of a library (or interpreted tool) into dist/."""
    return _PACKAGE.get(lang, _archive(name))


def publish_command(lang: RuntimeLanguage) -> str | None:
    """Shell line that publishes dist/ (or the tagged source) to the language's registry, if any."""
    publish = kinds.REGISTRIES[lang].publish
    if lang == "python":
        return "pipx run twine upload --non-interactive dist/*.whl dist/*.tar.gz"
    if lang == "dotnet":
        return (
            "dotnet nuget push 'dist/*.nupkg' --source https://api.nuget.org/v3/index.json "
            '--api-key "$NUGET_API_KEY"'
        )
    if lang == "ruby":
        return "gem push dist/*.gem"
    return publish


def _primary(d: Decisions) -> RuntimeDecision | None:
    return d.runtimes[0] if d.runtimes else None


def _setup(d: Decisions, *, registry: bool = False) -> list[str]:
    rt = _primary(d)
    if rt is None:
        return []
    lines = setup_steps(rt, cache=False)  # every job here runs in a workflow that publishes
    if registry and rt.language in ("node", "bun") and not any("setup-node" in s for s in lines):
        # npm publish needs Node.js and the registry URL even when Bun runs the tests.
        lines += [
            "      - name: Set up Node.js for npm publish",
            f"        uses: {kb.SETUP_NODE.uses()} # {kb.SETUP_NODE.tag}",
            "        with:",
            "          node-version: '22'",
            "          registry-url: 'https://registry.npmjs.org'",
        ]
    elif registry and rt.language == "node":
        lines.append("          registry-url: 'https://registry.npmjs.org'")
    return lines


def _install(d: Decisions) -> list[str]:
    """Dependencies (or, for CMake, the configure step) before a release build, as in the test job."""
    rt = _primary(d)
    if rt is None:
        return []
    profile = kb.RUNTIMES[rt.language]
    return run_step(f"Install dependencies ({profile.label})", safe_cmd(rt.install_command, profile.install))


def _checksums_and_signature() -> list[str]:
    return [
        *run_step("Write SHA256SUMS", "cd dist && sha256sum -- * > SHA256SUMS"),
        "      - name: Install cosign",
        f"        uses: {kb.COSIGN_INSTALLER.uses()} # {kb.COSIGN_INSTALLER.tag}",
        *run_step(
            "Sign the checksums (Sigstore keyless, this workflow's OIDC identity)",
            "cosign sign-blob --yes --bundle dist/SHA256SUMS.sigstore.json dist/SHA256SUMS",
        ),
    ]


def _changelog_check() -> list[str]:
    return run_step(
        "Require a CHANGELOG.md entry for this version",
        'grep -F -- "${GITHUB_REF_NAME#v}" CHANGELOG.md',
    )


def _gh_release(*, draft: bool = False, prerelease: bool = False) -> list[str]:
    flags = " --draft" if draft else ""
    flags += " --prerelease" if prerelease else ""
    return [
        "      - name: Create the GitHub release (changelog notes, checksums, signature)",
        "        env:",
        "          GH_TOKEN: ${{ github.token }}",
        "        run: |",
        f'          gh release create "$GITHUB_REF_NAME" dist/* --verify-tag --generate-notes{flags}',
    ]


def _release_job_header(name: str, needs: str, env: str, *, extra_perms: tuple[str, ...] = ()) -> list[str]:
    return [
        f"  {name}:",
        f"    needs: {needs}",
        ON_TAG,
        "    runs-on: ubuntu-latest",
        "    timeout-minutes: 30",
        "    environment:",
        f"      name: {env}",
        "    permissions:",
        "      contents: write",
        "      id-token: write",
        *extra_perms,
    ]


def package_release_jobs(d: Decisions, name: str) -> list[str]:
    """Library (or interpreted CLI): package, checksums, signature, registry publish, GitHub release."""
    rt = _primary(d)
    lang = rt.language if rt else "other"
    registry = kinds.REGISTRIES[lang]
    env: list[str] = []
    if registry.secret:
        env = ["    env:", f"      {registry.secret}: ${{{{ secrets.{registry.secret} }}}}"]
        if lang == "python":
            env.append("      TWINE_USERNAME: __token__")
    lines = [
        *_release_job_header("release", "test", "production"),
        *env,
        "    steps:",
        *checkout_steps(),
        *_setup(d, registry=True),
        *_install(d),
        *_changelog_check(),
        *run_step("Build the package into dist/", "mkdir -p dist && " + package_command(lang, name)),
        *_checksums_and_signature(),
    ]
    publish = publish_command(lang)
    if publish:
        lines += run_step(f"Publish to {registry.name.split(' ')[0]}", publish)
    elif lang == "go":
        lines += run_step(
            "Make the tagged version known to the Go module proxy",
            'GOPROXY=https://proxy.golang.org go list -m "github.com/$GITHUB_REPOSITORY@$GITHUB_REF_NAME"',
        )
    lines += _gh_release()
    return lines


def binary_release_jobs(d: Decisions, name: str) -> list[str]:
    """Command-line tool in a compiled language: native binaries per OS/arch, then one signed release."""
    rt = _primary(d)
    lang = rt.language if rt else "other"
    build = kinds.BINARY_BUILD.get(lang, kb.RUNTIMES[lang].build or "make build")
    setup = _setup(d)
    if lang == "rust":
        setup.append("          targets: ${{ matrix.target }}")
    matrix = [f"          - {{os: {os}, target: {target}}}" for os, target in kinds.BINARY_TARGETS]
    lines = [
        "  build-binaries:",
        "    needs: test",
        ON_TAG,
        "    strategy:",
        "      fail-fast: false",
        "      matrix:",
        "        include:",
        *matrix,
        "    runs-on: ${{ matrix.os }}",
        "    timeout-minutes: 45",
        "    defaults:",
        "      run:",
        "        shell: bash",
        "    env:",
        "      TARGET: ${{ matrix.target }}",
        f"      BIN: {name}",
        "    steps:",
        *checkout_steps(),
        *setup,
        *(_install(d) if lang != "cpp" else []),  # the C++ build line configures CMake itself
        *run_step("Build the release binary for this OS/arch", "mkdir -p dist && " + build),
        *run_step("Package it", 'tar -czf "$BIN-$GITHUB_REF_NAME-$TARGET.tar.gz" -C dist .'),
        "      - name: Keep the archive for the release job",
        f"        uses: {kb.UPLOAD_ARTIFACT.uses()} # {kb.UPLOAD_ARTIFACT.tag}",
        "        with:",
        "          name: bin-${{ matrix.target }}",
        "          path: '*.tar.gz'",
        *_release_job_header("release", "build-binaries", "production"),
        "    env:",
        f"      BIN: {name}",
        *(
            [f"      {kinds.REGISTRIES[lang].secret}: ${{{{ secrets.{kinds.REGISTRIES[lang].secret} }}}}"]
            if lang == "rust"
            else []
        ),
        "    steps:",
        *checkout_steps(),
        *_changelog_check(),
        "      - name: Collect the archives of every OS/arch",
        f"        uses: {kb.DOWNLOAD_ARTIFACT.uses()} # {kb.DOWNLOAD_ARTIFACT.tag}",
        "        with:",
        "          pattern: bin-*",
        "          merge-multiple: true",
        "          path: dist",
        *run_step(
            "SBOM (CycloneDX) of the source tree",
            f'docker run --rm -v "${{{{ github.workspace }}}}:/src" {kb.TRIVY_IMAGE} fs --format cyclonedx '
            "--output /src/dist/sbom.cdx.json /src",
        ),
        *_checksums_and_signature(),
        *_gh_release(draft=True),
        "      - name: Install smoke test of the Linux x86_64 asset, then publish the release",
        "        env:",
        "          GH_TOKEN: ${{ github.token }}",
        "        run: |",
        "          mkdir -p smoke",
        '          tar -xzf "dist/$BIN-$GITHUB_REF_NAME-x86_64-unknown-linux-gnu.tar.gz" -C smoke',
        '          find smoke -type f -name "$BIN" -exec {} --version \\;',
        '          gh release edit "$GITHUB_REF_NAME" --draft=false',
    ]
    if lang == "rust":
        lines += [*_setup(d), *run_step("Publish to crates.io (cargo install)", "cargo publish --locked")]
    return lines


def _mobile_android(d: Decisions, flutter: bool) -> list[str]:
    rt = _primary(d)
    build = (
        'flutter build appbundle --release --build-number "$GITHUB_RUN_NUMBER"'
        if flutter
        else "./gradlew --no-daemon bundleRelease"
    )
    props = "android/key.properties" if flutter else "key.properties"
    aab = (
        "build/app/outputs/bundle/release/app-release.aab"
        if flutter
        else "app/build/outputs/bundle/release/app-release.aab"
    )
    java = (
        [
            "      - name: Set up Java 17 for the Android build",
            f"        uses: {kb.SETUP_JAVA.uses()} # {kb.SETUP_JAVA.tag}",
            "        with:",
            "          distribution: temurin",
            "          java-version: '17'",
        ]
        if rt is None or rt.language not in ("java", "kotlin")
        else []
    )
    return [
        "  build-android:",
        "    needs: test",
        ON_TAG,
        "    runs-on: ubuntu-latest",
        "    timeout-minutes: 45",
        "    steps:",
        *checkout_steps(),
        *java,
        *_setup(d),
        *_install(d),
        "      - name: Restore the upload keystore and its key.properties from the secret store",
        "        env:",
        "          KEYSTORE_BASE64: ${{ secrets.ANDROID_UPLOAD_KEYSTORE_BASE64 }}",
        "          KEYSTORE_PASSWORD: ${{ secrets.ANDROID_UPLOAD_KEYSTORE_PASSWORD }}",
        "          KEY_ALIAS: ${{ vars.ANDROID_UPLOAD_KEY_ALIAS }}",
        "        run: |",
        '          printf \'%s\' "$KEYSTORE_BASE64" | base64 --decode > "$RUNNER_TEMP/upload-keystore.jks"',
        "          printf 'storeFile=%s\\nstorePassword=%s\\nkeyAlias=%s\\nkeyPassword=%s\\n' "
        '"$RUNNER_TEMP/upload-keystore.jks" "$KEYSTORE_PASSWORD" "$KEY_ALIAS" "$KEYSTORE_PASSWORD" '
        f"> {props}",
        *run_step("Build the signed App Bundle", build),
        "      - name: Keep the App Bundle",
        f"        uses: {kb.UPLOAD_ARTIFACT.uses()} # {kb.UPLOAD_ARTIFACT.tag}",
        "        with:",
        "          name: android-aab",
        f"          path: {aab}",
        "  play-internal:",
        "    needs: build-android",
        ON_TAG,
        "    runs-on: ubuntu-latest",
        "    timeout-minutes: 30",
        "    environment:",
        "      name: staging",
        "    env:",
        "      PLAY_SERVICE_ACCOUNT_JSON: ${{ secrets.PLAY_SERVICE_ACCOUNT_JSON }}",
        "      PACKAGE_NAME: ${{ vars.ANDROID_PACKAGE_NAME }}",
        "    steps:",
        "      - name: Fetch the App Bundle",
        f"        uses: {kb.DOWNLOAD_ARTIFACT.uses()} # {kb.DOWNLOAD_ARTIFACT.tag}",
        "        with:",
        "          name: android-aab",
        *_fastlane(),
        *run_step(
            "Upload to the Google Play internal track",
            'fastlane supply --aab app-release.aab --track internal --package_name "$PACKAGE_NAME" '
            '--json_key_data "$PLAY_SERVICE_ACCOUNT_JSON"',
        ),
    ]


def _fastlane() -> list[str]:
    return [
        "      - name: Set up Ruby for fastlane",
        f"        uses: {kb.SETUP_RUBY.uses()} # {kb.SETUP_RUBY.tag}",
        "        with:",
        "          ruby-version: '3.3'",
        *run_step("Install fastlane", "gem install fastlane --no-document"),
    ]


def _mobile_ios(d: Decisions, flutter: bool) -> list[str]:
    build = (
        'flutter build ipa --release --build-number "$GITHUB_RUN_NUMBER" --export-options-plist '
        "ios/ExportOptions.plist"
        if flutter
        else "xcodebuild -workspace ios/App.xcworkspace -scheme App -configuration Release archive "
        "-archivePath build/App.xcarchive"
    )
    return [
        "  build-ios:",
        "    needs: test",
        ON_TAG,
        "    runs-on: macos-14",
        "    timeout-minutes: 60",
        "    environment:",
        "      name: staging",
        "    env:",
        "      ASC_KEY_ID: ${{ secrets.APP_STORE_CONNECT_KEY_ID }}",
        "      ASC_ISSUER_ID: ${{ secrets.APP_STORE_CONNECT_ISSUER_ID }}",
        "      ASC_KEY_CONTENT: ${{ secrets.APP_STORE_CONNECT_KEY_P8 }}",
        "    steps:",
        *checkout_steps(),
        *_setup(d),
        *_install(d),
        *_fastlane(),
        *run_step("Build the signed IPA", build),
        *run_step(
            "Upload to TestFlight",
            "fastlane pilot upload --ipa build/ios/ipa/*.ipa --api_key_path fastlane/asc_api_key.json "
            "--skip_waiting_for_build_processing true",
        ),
    ]


def _native_e2e(d: Decisions, flutter: bool) -> list[str]:
    """QA's mobile flows (Maestro/Detox) against a simulator build, on every push (none if QA has none)."""
    e2e = ci_test_commands(d, "mobile_e2e")
    if not e2e:
        return []
    secret_env = sorted({v for c in e2e for v in c.secret_env})
    build = (
        "flutter build ios --simulator --debug"
        if flutter
        else "xcodebuild -workspace ios/App.xcworkspace -scheme App -sdk iphonesimulator "
        "-configuration Debug -derivedDataPath build"
    )
    app = (
        "build/ios/iphonesimulator/Runner.app"
        if flutter
        else "build/Build/Products/Debug-iphonesimulator/App.app"
    )
    lines = [
        "  mobile-e2e:",
        "    needs: test",
        "    runs-on: macos-14",
        "    timeout-minutes: 60",
        *(["    env:", *[f"      {v}: ${{{{ secrets.{v} }}}}" for v in secret_env]] if secret_env else []),
        "    steps:",
        *checkout_steps(),
        *_setup(d),
        *_install(d),
        "      - name: Install Maestro (Homebrew tap of mobile.dev)",
        "        run: |",
        "          brew tap mobile-dev-inc/tap",
        "          brew install maestro",
        *run_step("Build the app for the iOS simulator", build),
        "      - name: Boot a simulator and install the app",
        "        run: |",
        '          xcrun simctl boot "iPhone 15"',
        f"          xcrun simctl install booted {app}",
    ]
    for i, c in enumerate(e2e, 1):
        lines += run_step(
            "Run QA mobile flows" + (f" {i}" if len(e2e) > 1 else ""), c.command, workdir=c.working_directory
        )
    return lines


def mobile_release_jobs(d: Decisions, android: bool, ios: bool) -> list[str]:
    """Store builds to the testing tracks on a tag; approved promotion with a rollout percentage."""
    rt = _primary(d)
    flutter = rt is not None and rt.language == "dart"
    lines: list[str] = _native_e2e(d, flutter)
    if android:
        lines += _mobile_android(d, flutter)
    if ios:
        lines += _mobile_ios(d, flutter)
    lines += [
        "  promote-production:",
        "    if: github.event_name == 'workflow_dispatch'",
        "    runs-on: ubuntu-latest",
        "    timeout-minutes: 15",
        "    # Required reviewers on 'production' approve each rollout step (1 %, 5 %, 20 %, 50 %, 100 %).",
        "    environment:",
        "      name: production",
        "    env:",
        "      ROLLOUT: ${{ inputs.rollout }}",
        "      PLAY_SERVICE_ACCOUNT_JSON: ${{ secrets.PLAY_SERVICE_ACCOUNT_JSON }}",
        "      PACKAGE_NAME: ${{ vars.ANDROID_PACKAGE_NAME }}",
        "    steps:",
        *checkout_steps(),
        *_fastlane(),
    ]
    if android:
        lines += run_step(
            "Promote to (or advance) the Google Play production staged rollout",
            'fastlane supply --track internal --track_promote_to production --rollout "$ROLLOUT" '
            '--package_name "$PACKAGE_NAME" --json_key_data "$PLAY_SERVICE_ACCOUNT_JSON" '
            "--skip_upload_aab true",
        )
    if ios:
        lines += run_step(
            "Submit the TestFlight build for App Store review with a 7-day phased release",
            "fastlane deliver --submit_for_review --phased_release true --skip_binary_upload true --force "
            "--api_key_path fastlane/asc_api_key.json",
        )
    return lines


def desktop_release_jobs(d: Decisions, name: str) -> list[str]:
    """Installers per OS (beta channel on a tag), promoted to stable by an approved manual run."""
    rt = _primary(d)
    lang = rt.language if rt else "other"
    build = {
        "node": "npx --yes electron-builder@25 --publish never",
        "cpp": "cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build --config Release "
        "&& cpack --config build/CPackConfig.cmake -C Release -B dist",
        "rust": "cargo build --release --locked",
        "dotnet": "dotnet publish --configuration Release --self-contained --output dist",
        "dart": "flutter build ${{ matrix.flutter }} --release",
        "java": "./mvnw -B -ntp package -DskipTests && jpackage --input target --dest dist --name " + name,
        "kotlin": "./gradlew --no-daemon packageDistributionForCurrentOS",
    }.get(lang, kb.RUNTIMES[lang].build or "make dist")
    return [
        "  build-installers:",
        "    needs: test",
        ON_TAG,
        "    strategy:",
        "      fail-fast: false",
        "      matrix:",
        "        include:",
        "          - {os: windows-latest, flutter: windows}",
        "          - {os: macos-14, flutter: macos}",
        "          - {os: ubuntu-latest, flutter: linux}",
        "    runs-on: ${{ matrix.os }}",
        "    timeout-minutes: 60",
        "    defaults:",
        "      run:",
        "        shell: bash",
        "    steps:",
        *checkout_steps(),
        *_setup(d),
        *(_install(d) if lang != "cpp" else []),
        *run_step("Build the installer for this OS", "mkdir -p dist && " + build),
        "      - name: Notarise the macOS installer",
        "        if: runner.os == 'macOS'",
        "        env:",
        "          APPLE_ID: ${{ secrets.APPLE_ID }}",
        "          APPLE_TEAM_ID: ${{ secrets.APPLE_TEAM_ID }}",
        "          APPLE_APP_PASSWORD: ${{ secrets.APPLE_APP_PASSWORD }}",
        "        run: |",
        "          for f in dist/*.dmg; do",
        '            xcrun notarytool submit "$f" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" '
        '--password "$APPLE_APP_PASSWORD" --wait',
        "          done",
        "      - name: Keep the installers",
        f"        uses: {kb.UPLOAD_ARTIFACT.uses()} # {kb.UPLOAD_ARTIFACT.tag}",
        "        with:",
        "          name: installer-${{ matrix.flutter }}",
        "          path: dist/*",
        *_release_job_header("release-beta", "build-installers", "staging"),
        "    steps:",
        *checkout_steps(),
        *_changelog_check(),
        "      - name: Collect the installers of every OS",
        f"        uses: {kb.DOWNLOAD_ARTIFACT.uses()} # {kb.DOWNLOAD_ARTIFACT.tag}",
        "        with:",
        "          pattern: installer-*",
        "          merge-multiple: true",
        "          path: dist",
        *_checksums_and_signature(),
        *_gh_release(prerelease=True),
        "  promote-stable:",
        "    if: github.event_name == 'workflow_dispatch'",
        "    runs-on: ubuntu-latest",
        "    timeout-minutes: 10",
        "    environment:",
        "      name: production",
        "    permissions:",
        "      contents: write",
        "    steps:",
        "      - name: Move the tagged release from the beta to the stable update channel",
        "        env:",
        "          GH_TOKEN: ${{ github.token }}",
        "          TAG: ${{ inputs.tag }}",
        "        run: |",
        '          gh release edit "$TAG" --repo "$GITHUB_REPOSITORY" --prerelease=false --latest',
    ]


def embedded_release_jobs(d: Decisions, name: str) -> list[str]:
    """Signed update image on a tag, OTA to the canary group; approved waves to the fleet."""
    rt = _primary(d)
    lang = rt.language if rt else "other"
    build = kb.RUNTIMES[lang].build or "make image"
    ota = [
        "      OTA_API: ${{ vars.OTA_API_URL }}",
        "      OTA_TOKEN: ${{ secrets.OTA_DEPLOY_TOKEN }}",
    ]
    return [
        *_release_job_header("release-canary", "test", "staging"),
        "    env:",
        *ota,
        "    steps:",
        *checkout_steps(),
        *_setup(d),
        *_install(d),
        *_changelog_check(),
        *run_step("Build the update image", build),
        *run_step(
            "Package the image into dist/",
            f'mkdir -p dist && tar -czf "dist/{name}-$GITHUB_REF_NAME.tar.gz" -C build .',
        ),
        *_checksums_and_signature(),
        *run_step(
            "Upload the signed image to the OTA service",
            f'curl --fail --silent --show-error -H "Authorization: Bearer $OTA_TOKEN" '
            f'-F "artifact=@dist/{name}-$GITHUB_REF_NAME.tar.gz" -F '
            f'"signature=@dist/SHA256SUMS.sigstore.json" '
            '"$OTA_API/artifacts"',
        ),
        *run_step(
            "Roll out to the canary device group",
            'curl --fail --silent --show-error -H "Authorization: Bearer $OTA_TOKEN" -H "Content-Type: '
            'application/json" -d "{\\"version\\": \\"$GITHUB_REF_NAME\\", \\"group\\": \\"canary\\"}" '
            '"$OTA_API/deployments"',
        ),
        *_gh_release(prerelease=True),
        "  fleet-wave:",
        "    if: github.event_name == 'workflow_dispatch'",
        "    runs-on: ubuntu-latest",
        "    timeout-minutes: 15",
        "    # Required reviewers on 'production' approve each wave (10 %, 50 %, 100 % of the fleet).",
        "    environment:",
        "      name: production",
        "    env:",
        *ota,
        "      TAG: ${{ inputs.tag }}",
        "      WAVE: ${{ inputs.rollout }}",
        "    steps:",
        *run_step(
            "Extend the rollout to the next fleet wave",
            'curl --fail --silent --show-error -H "Authorization: Bearer $OTA_TOKEN" -H "Content-Type: '
            'application/json" -d "{\\"version\\": \\"$TAG\\", \\"percentage\\": \\"$WAVE\\"}" '
            '"$OTA_API/deployments"',
        ),
    ]


def dispatch_inputs(kind: str) -> list[str]:
    """``workflow_dispatch`` inputs of the manual promotion job, per kind (none for packages)."""
    if kind == "mobile":
        return [
            "  workflow_dispatch:",
            "    inputs:",
            "      rollout:",
            "        description: Fraction of users for the production staged rollout (0.01 to 1)",
            "        required: true",
            "        default: '0.01'",
        ]
    if kind in ("desktop", "embedded"):
        return [
            "  workflow_dispatch:",
            "    inputs:",
            "      tag:",
            "        description: Release tag to promote, e.g. v1.4.0",
            "        required: true",
            "      rollout:",
            "        description: Share of the fleet/users for this wave, in percent",
            "        required: false",
            "        default: '10'",
        ]
    return []
