; Sentry Tray's Windows installer (scripts/bundle-windows runs makensis on it): for the current
; user only, no administrator rights, into %LOCALAPPDATA%\Programs\Sentry Tray, with a Start-menu
; shortcut, an entry in Settings → Apps, and an uninstaller that keeps the user's data.
; makensis -DVERSION=… -DSTAGE=<folder with the files> -DOUT=<installer.exe>
Unicode true
; 64-bit, as the app is (and Wine here runs 64-bit programs only).
Target amd64-unicode
RequestExecutionLevel user
SetCompressor /SOLID lzma

!include "MUI2.nsh"

Name "Sentry Tray"
OutFile "${OUT}"
InstallDir "$LOCALAPPDATA\Programs\Sentry Tray"
InstallDirRegKey HKCU "Software\Sentry Tray" "InstallDir"

!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\io.sentry-tray.app"
!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_FINISHPAGE_RUN "$INSTDIR\sentry-tray.exe"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Section "Sentry Tray"
  ; A running app holds its files. Ended by force: what it acknowledged is committed, and its
  ; queued actions resume at the next start (README: it keeps everything through kill -9).
  nsExec::Exec 'taskkill /F /IM sentry-tray.exe'
  SetOutPath "$INSTDIR"
  File "${STAGE}\sentry-tray.exe"
  File "${STAGE}\sentry-tray-window.exe"
  File "${STAGE}\sentry-tray-cli.exe"
  File "${STAGE}\WebView2Loader.dll"
  File "${STAGE}\README.txt"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\Sentry Tray.lnk" "$INSTDIR\sentry-tray.exe"
  WriteRegStr HKCU "Software\Sentry Tray" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "Sentry Tray"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "Sentry Tray"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\sentry-tray.exe"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

; The user's alerts, settings and tokens stay (%APPDATA%\sentry-tray, Credential Manager): a
; reinstall finds them. The app's own entries (start at login, the toast registration) go.
Section "Uninstall"
  nsExec::Exec 'taskkill /F /IM sentry-tray.exe'
  Delete "$INSTDIR\sentry-tray.exe"
  Delete "$INSTDIR\sentry-tray-window.exe"
  Delete "$INSTDIR\sentry-tray-cli.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\README.txt"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\Sentry Tray.lnk"
  DeleteRegValue HKCU "Software\Microsoft\Windows\CurrentVersion\Run" "Sentry Tray"
  DeleteRegKey HKCU "Software\Classes\AppUserModelId\io.sentry-tray.app"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "Software\Sentry Tray"
SectionEnd
